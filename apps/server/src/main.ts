import { buildServer } from './app.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const server = await buildServer(config);
const address = await server.listen();
// stdout lines that scripts and tests wait for; keep their wording.
console.log(`Remote Support is listening on ${address} (public URL ${config.publicUrl})`);
if (server.setupUrl) {
  console.log(`No users yet. Open this one-time link to create the first admin:\n  ${server.setupUrl}`);
}
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
