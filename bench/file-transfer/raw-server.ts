/**
 * The baselines of the file-transfer benchmark: the least a server can do to
 * take in or hand out a number of bytes on loopback, in its own process like
 * the product's server. Nothing is parsed, stored, hashed or checked.
 *
 *   node --import tsx bench/file-transfer/raw-server.ts
 *
 * Prints one line "raw listening tcp=<port> ws=<port>" when ready.
 *
 * TCP: the client's first 9 bytes are the operation, "U" (upload) or "D"
 * (download), and the size as a big-endian uint64. Upload: the server
 * discards that many bytes, then answers "ok" and ends. Download: the server
 * sends that many bytes (from one 1 MiB buffer, respecting backpressure) and ends.
 *
 * WebSocket (`ws`, no compression): /up?size=N — binary messages are counted
 * and discarded; once N bytes arrived the server sends the text "ok".
 * /down?size=N — the server sends N bytes as 64 KiB binary messages, keeping
 * at most 4 MiB buffered, then the text "end".
 */
import net from 'node:net';
import { WebSocketServer } from 'ws';

const SOURCE = Buffer.alloc(1024 * 1024, 0x5a);
const WS_MESSAGE = 64 * 1024;
const WS_WINDOW = 4 * 1024 * 1024;

const tcp = net.createServer((sock) => {
  sock.setNoDelay(true);
  let header = Buffer.alloc(0);
  let op: 'U' | 'D' | null = null;
  let remaining = 0;
  const onData = (data: Buffer) => {
    if (op === null) {
      header = Buffer.concat([header, data]);
      if (header.length < 9) return;
      op = header.toString('latin1', 0, 1) === 'U' ? 'U' : 'D';
      remaining = Number(header.readBigUInt64BE(1));
      data = header.subarray(9);
      if (op === 'D') {
        sock.off('data', onData);
        send();
        return;
      }
    }
    remaining -= data.length;
    if (remaining <= 0) {
      sock.off('data', onData);
      sock.end('ok');
    }
  };
  const send = () => {
    while (remaining > 0) {
      const n = Math.min(remaining, SOURCE.length);
      remaining -= n;
      if (!sock.write(n === SOURCE.length ? SOURCE : SOURCE.subarray(0, n))) {
        sock.once('drain', send);
        return;
      }
    }
    sock.end();
  };
  sock.on('data', onData);
  sock.on('error', () => undefined);
});

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
wss.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://raw');
  const size = Number(url.searchParams.get('size') ?? '0');
  ws.on('error', () => undefined);
  if (url.pathname === '/up') {
    let received = 0;
    let answered = false;
    ws.on('message', (data: Buffer) => {
      received += data.length;
      if (!answered && received >= size) {
        answered = true;
        ws.send('ok');
      }
    });
    if (size === 0) ws.send('ok');
    return;
  }
  // /down
  const message = SOURCE.subarray(0, WS_MESSAGE);
  let remaining = size;
  let buffered = 0;
  const pump = () => {
    while (remaining > 0 && buffered < WS_WINDOW) {
      const n = Math.min(remaining, WS_MESSAGE);
      remaining -= n;
      buffered += n;
      ws.send(n === WS_MESSAGE ? message : message.subarray(0, n), { binary: true }, () => {
        buffered -= n;
        if (remaining > 0 && buffered < WS_WINDOW / 2) pump();
        else if (remaining === 0 && buffered === 0) ws.send('end');
      });
    }
    if (size === 0) ws.send('end');
  };
  pump();
});

let pending = 2;
const ready = () => {
  if (--pending > 0) return;
  const t = tcp.address();
  const w = wss.address();
  process.stdout.write(`raw listening tcp=${typeof t === 'object' && t ? t.port : t} ws=${typeof w === 'object' && w ? w.port : w}\n`);
};
tcp.listen(0, '127.0.0.1', ready);
wss.on('listening', ready);

const stop = () => {
  wss.close();
  tcp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
