/**
 * Monitors on X11: RandR 1.5 monitors (what desktops call screens, including
 * `xrandr --setmonitor` ones), else the active RandR 1.2 CRTCs, else the whole
 * root window as one monitor.
 */
import type { Monitor } from '../input.js';
import type { RandrExt, XConn } from './connection.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x && y1 > y ? { x, y, width: x1 - x, height: y1 - y } : null;
}

export async function listMonitors(conn: XConn): Promise<Monitor[]> {
  const screen: Rect = { x: 0, y: 0, width: conn.screenWidth, height: conn.screenHeight };
  const clip = (m: Monitor): Monitor | null => {
    const r = intersect(m, screen);
    return r ? { ...m, ...r } : null;
  };
  const randr = await conn.ext<RandrExt>('randr');
  let found: Monitor[] = [];
  if (randr) {
    try {
      found = await randrMonitors(conn, randr);
    } catch {
      found = [];
    }
  }
  const monitors = found.map(clip).filter((m): m is Monitor => m !== null);
  if (monitors.length === 0) {
    return [{ id: 'screen', name: 'Screen', x: 0, y: 0, width: conn.screenWidth, height: conn.screenHeight, primary: true }];
  }
  // ids must be unique: a name used twice gets a suffix
  const seen = new Map<string, number>();
  for (const m of monitors) {
    const n = seen.get(m.id) ?? 0;
    seen.set(m.id, n + 1);
    if (n > 0) m.id = `${m.id}#${n + 1}`;
  }
  if (!monitors.some((m) => m.primary)) monitors[0]!.primary = true;
  return monitors;
}

async function randrMonitors(conn: XConn, randr: RandrExt): Promise<Monitor[]> {
  const version = randr.major_version * 100 + randr.minor_version;
  if (version >= 105) {
    const infos = await conn.randrMonitors(randr);
    const out: Monitor[] = [];
    for (const [i, m] of infos.entries()) {
      const name = m.name ? await conn.atomName(m.name).catch(() => '') : '';
      out.push({ id: name || `monitor-${i + 1}`, name: name || `Screen ${i + 1}`, x: m.x, y: m.y, width: m.width, height: m.height, primary: m.primary });
    }
    return out;
  }
  if (version < 102) return [];
  const res = await conn.call<{ config_timestamp: number; crtcs: number[]; outputs: number[] }>((cb) => randr.GetScreenResourcesCurrent(conn.root, cb));
  const primary = await conn.call<number>((cb) => randr.GetOutputPrimary(conn.root, cb)).catch(() => 0);
  const out: Monitor[] = [];
  for (const crtc of res.crtcs) {
    const info = await conn
      .call<{ x: number; y: number; width: number; height: number; mode: number; output: number[] }>((cb) => randr.GetCrtcInfo(crtc, res.config_timestamp, cb))
      .catch(() => null);
    if (!info || info.mode === 0 || info.output.length === 0) continue;
    const outputId = info.output[0]!;
    const name = await conn
      .call<{ name: string }>((cb) => randr.GetOutputInfo(outputId, res.config_timestamp, cb))
      .then((o) => o.name)
      .catch(() => '');
    out.push({
      id: name || `crtc-${crtc}`,
      name: name || `Screen ${out.length + 1}`,
      x: info.x,
      y: info.y,
      width: info.width,
      height: info.height,
      primary: info.output.includes(primary),
    });
  }
  return out;
}
