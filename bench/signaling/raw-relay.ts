/**
 * The baseline of the signaling benchmark: the least a WebSocket relay can
 * do. Two sockets that connect with the same `?pair=<id>` are partners; every
 * text frame one sends goes to the other, unchanged. No parsing, no storage,
 * no checks. Both get {"type":"paired"} once their partner is there.
 *
 *   node --import tsx bench/signaling/raw-relay.ts <port>
 */
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2] ?? '0');
const waiting = new Map<string, WebSocket>();
const partner = new WeakMap<WebSocket, WebSocket>();

// Same frame limit as the product's gateway, no compression (its default too).
const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const pair = new URL(req.url ?? '/', 'http://relay').searchParams.get('pair') ?? '';
  ws.on('error', () => undefined);
  const other = waiting.get(pair);
  if (other && other.readyState === other.OPEN) {
    waiting.delete(pair);
    partner.set(ws, other);
    partner.set(other, ws);
    const paired = JSON.stringify({ type: 'paired' });
    ws.send(paired);
    other.send(paired);
  } else {
    waiting.set(pair, ws);
  }
  ws.on('message', (data, isBinary) => {
    const p = partner.get(ws);
    if (p && p.readyState === p.OPEN) p.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    if (waiting.get(pair) === ws) waiting.delete(pair);
    partner.get(ws)?.close();
  });
});
wss.on('listening', () => {
  const addr = wss.address();
  process.stdout.write(`raw relay listening on ${addr !== null && typeof addr === 'object' ? addr.port : addr}\n`);
});
const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
