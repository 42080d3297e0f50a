#!/usr/bin/env node
// Runs the TypeScript sources through tsx (the packaged build bundles them instead).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
