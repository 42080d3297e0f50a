import type { Messages } from './index.js';

// TODO translate: placeholder copy of English until the translation pass.
import { en } from './en.js';
export const de: Messages = { ...en };
