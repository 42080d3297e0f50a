/**
 * RandR 1.5 monitors on a test X server, the way `xrandr --setmonitor` makes
 * them (xrandr itself is not installed here): Xvfb has one big screen, and
 * RRSetMonitor splits it into named monitors that the backend's monitors()
 * lists like real ones.
 */
import { XConn, type RandrExt } from '../../src/backend/x11/connection.js';

export interface TestMonitor {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary?: boolean;
  /**
   * Give it the X server's (only) output: the server then drops the monitor
   * it made for that output by itself (Xvfb's "screen", the whole screen), so
   * the desktop has only the monitors defined here.
   */
  takeOutput?: boolean;
}

/** Adds (or, for a name already defined, replaces) each monitor on `display`. */
export async function setMonitors(display: string, monitors: TestMonitor[]): Promise<void> {
  const conn = await XConn.connect(display);
  try {
    const randr = await conn.ext<RandrExt>('randr');
    if (!randr) throw new Error('no RandR on this X server');
    for (const m of monitors) {
      const atom = await conn.atom(m.name);
      const output = m.takeOutput
        ? (await conn.call<{ outputs: number[] }>((cb) => randr.GetScreenResourcesCurrent(conn.root, cb))).outputs[0]
        : undefined;
      const b = Buffer.alloc(output === undefined ? 32 : 36);
      b.writeUInt8(randr.majorOpcode, 0);
      b.writeUInt8(43, 1); // RRSetMonitor
      b.writeUInt16LE(b.length / 4, 2); // request length in 4-byte units
      b.writeUInt32LE(conn.root, 4);
      b.writeUInt32LE(atom, 8);
      b.writeUInt8(m.primary ? 1 : 0, 12);
      b.writeUInt8(0, 13); // not automatic
      b.writeUInt16LE(output === undefined ? 0 : 1, 14); // number of outputs
      if (output !== undefined) b.writeUInt32LE(output, 32);
      b.writeInt16LE(m.x, 16);
      b.writeInt16LE(m.y, 18);
      b.writeUInt16LE(m.width, 20);
      b.writeUInt16LE(m.height, 22);
      b.writeUInt32LE(300, 24); // width in mm
      b.writeUInt32LE(200, 28); // height in mm
      conn.client.seq_num++;
      conn.client.pack_stream.put(b);
      conn.client.pack_stream.submit();
    }
    await conn.sync();
  } finally {
    await conn.close();
  }
}
