/**
 * Application windows on X11: listing (EWMH _NET_CLIENT_LIST when a window
 * manager keeps one, else a walk of the root's children and, for reparenting
 * window managers, their children with WM_STATE), titles, and the geometry
 * and stacking facts a window capture needs.
 */
import type { AppWindow } from '../input.js';
import { X, type XConn } from './connection.js';
import type { Rect } from './monitors.js';

export function windowIdString(wid: number): string {
  return `0x${wid.toString(16)}`;
}

export function parseWindowId(id: string): number | null {
  const m = /^0x([0-9a-f]{1,8})$/i.exec(id);
  if (!m) return null;
  const n = Number.parseInt(m[1]!, 16);
  return n > 0 ? n : null;
}

/** True when both resources were created by the same X client (same resource-id base). */
export function sameClient(conn: XConn, a: number, b: number): boolean {
  const mask = conn.display.resource_mask;
  return (a & ~mask) === (b & ~mask);
}

interface Atoms {
  netClientList: number;
  netWmName: number;
  utf8: number;
  wmState: number;
  netWmPid: number;
  wmClass: number;
  wmName: number;
}

async function atoms(conn: XConn): Promise<Atoms> {
  const [netClientList, netWmName, utf8, wmState, netWmPid] = await Promise.all([
    conn.atom('_NET_CLIENT_LIST'),
    conn.atom('_NET_WM_NAME'),
    conn.atom('UTF8_STRING'),
    conn.atom('WM_STATE'),
    conn.atom('_NET_WM_PID'),
  ]);
  return { netClientList, netWmName, utf8, wmState, netWmPid, wmClass: conn.client.atoms.WM_CLASS ?? 67, wmName: conn.client.atoms.WM_NAME ?? 39 };
}

async function hasProperty(conn: XConn, wid: number, prop: number): Promise<boolean> {
  const p = await conn.property(wid, prop, X.AnyPropertyType, 0).catch(() => null);
  return !!p && p.type !== 0;
}

/** The title: _NET_WM_NAME (UTF-8), else WM_NAME (Latin-1, or UTF-8 when typed so). */
async function title(conn: XConn, a: Atoms, wid: number): Promise<string> {
  const net = await conn.property(wid, a.netWmName, a.utf8).catch(() => null);
  if (net && net.type === a.utf8 && net.data.length > 0) return net.data.toString('utf8');
  const old = await conn.property(wid, a.wmName).catch(() => null);
  if (!old || old.data.length === 0) return '';
  return old.type === a.utf8 ? old.data.toString('utf8') : old.data.toString('latin1');
}

async function appName(conn: XConn, a: Atoms, wid: number): Promise<string> {
  const p = await conn.property(wid, a.wmClass).catch(() => null);
  if (!p || p.data.length === 0) return '';
  const [instance = '', klass = ''] = p.data.toString('latin1').split('\0');
  return klass || instance;
}

async function pid(conn: XConn, a: Atoms, wid: number): Promise<number | undefined> {
  const p = await conn.property(wid, a.netWmPid).catch(() => null);
  if (!p || p.format !== 32 || p.data.length < 4) return undefined;
  const v = p.data.readUInt32LE(0);
  return v > 0 ? v : undefined;
}

/** The client windows (the ones an application created and named), top-level, in stacking order bottom to top where known. */
async function clientWindows(conn: XConn, a: Atoms): Promise<number[]> {
  const list = await conn.property(conn.root, a.netClientList).catch(() => null);
  if (list && list.format === 32 && list.data.length >= 4) {
    const out: number[] = [];
    for (let i = 0; i + 4 <= list.data.length; i += 4) out.push(list.data.readUInt32LE(i));
    return out;
  }
  const tree = await conn.queryTree(conn.root);
  const out: number[] = [];
  for (const child of tree.children) {
    const attrs = await conn.attributes(child).catch(() => null);
    if (!attrs || attrs.mapState !== X.Viewable || attrs.klass !== X.InputOutput || attrs.overrideRedirect) continue;
    if (await hasProperty(conn, child, a.wmState)) {
      out.push(child);
      continue;
    }
    // a reparenting window manager's frame: the client is a descendant with WM_STATE
    const inner = await findWithWmState(conn, a, child, 2);
    if (inner) {
      out.push(inner);
      continue;
    }
    // no window manager: a named top-level window is an application window
    if ((await hasProperty(conn, child, a.wmName)) || (await hasProperty(conn, child, a.netWmName))) out.push(child);
  }
  return out;
}

async function findWithWmState(conn: XConn, a: Atoms, wid: number, depth: number): Promise<number | null> {
  if (depth === 0) return null;
  const tree = await conn.queryTree(wid).catch(() => null);
  if (!tree) return null;
  for (const child of tree.children) {
    if (await hasProperty(conn, child, a.wmState)) return child;
  }
  for (const child of tree.children) {
    const found = await findWithWmState(conn, a, child, depth - 1);
    if (found) return found;
  }
  return null;
}

/** The child of the root that contains `wid` (its window manager frame, or itself when it has none). Null when it is gone. */
export async function topLevelOf(conn: XConn, wid: number): Promise<number | null> {
  let w = wid;
  for (let i = 0; i < 64; i++) {
    if (w === conn.root) return null;
    const tree = await conn.queryTree(w).catch(() => null);
    if (!tree) return null;
    if (tree.parent === conn.root) return w;
    if (tree.parent === 0) return null;
    w = tree.parent;
  }
  return null;
}

/** Where a window's content is on the root (its inside, without border), or null when it is gone. */
export async function windowRect(conn: XConn, wid: number): Promise<Rect | null> {
  try {
    const [geom, pos] = await Promise.all([conn.geometry(wid), conn.translate(wid, conn.root, 0, 0)]);
    return { x: pos.x, y: pos.y, width: geom.width, height: geom.height };
  } catch {
    return null;
  }
}

export async function isViewable(conn: XConn, wid: number): Promise<boolean> {
  const attrs = await conn.attributes(wid).catch(() => null);
  return !!attrs && attrs.mapState === X.Viewable;
}

/**
 * The rectangles (root coordinates, borders included) of the windows stacked
 * above `frame` that belong to other X clients and so cover parts of it.
 */
export async function occluders(conn: XConn, frame: number, owner: number): Promise<Rect[]> {
  const tree = await conn.queryTree(conn.root);
  const at = tree.children.indexOf(frame);
  if (at < 0) return [];
  const above = tree.children.slice(at + 1).filter((w) => !sameClient(conn, w, owner));
  const facts = await Promise.all(
    above.map(async (w) => {
      const [attrs, geom] = await Promise.all([conn.attributes(w).catch(() => null), conn.geometry(w).catch(() => null)]);
      if (!attrs || !geom || attrs.mapState !== X.Viewable || attrs.klass !== X.InputOutput) return null;
      const bw = geom.borderWidth;
      return { x: geom.xPos, y: geom.yPos, width: geom.width + 2 * bw, height: geom.height + 2 * bw };
    }),
  );
  return facts.filter((r): r is Rect => r !== null);
}

/** Whether the keyboard focus is in the application that owns `wid` (its frame, a descendant, or a window of the same client). */
export async function focusIsIn(conn: XConn, wid: number, frame: number, pointerInside: () => Promise<boolean>): Promise<boolean> {
  const focus = await conn.inputFocus();
  if (focus === X.None) return false;
  if (focus === X.PointerRoot) return pointerInside();
  if (focus === wid || sameClient(conn, focus, wid)) return true;
  const top = await topLevelOf(conn, focus);
  return top === frame;
}

export async function listWindows(conn: XConn): Promise<AppWindow[]> {
  const a = await atoms(conn);
  const ids = await clientWindows(conn, a);
  const focus = await conn.inputFocus().catch(() => 0);
  const focusTop = focus > 1 ? await topLevelOf(conn, focus) : null;
  const out: AppWindow[] = [];
  for (const wid of ids) {
    const attrs = await conn.attributes(wid).catch(() => null);
    if (!attrs || attrs.mapState !== X.Viewable || attrs.klass !== X.InputOutput) continue;
    const [rect, name, app, p, top] = await Promise.all([windowRect(conn, wid), title(conn, a, wid), appName(conn, a, wid), pid(conn, a, wid), topLevelOf(conn, wid)]);
    if (!rect || rect.width < 2 || rect.height < 2 || !name) continue;
    const w: AppWindow = {
      id: windowIdString(wid),
      title: name.slice(0, 1000),
      app: app.slice(0, 200),
      x: rect.x,
      y: rect.y,
      width: rect.width,
      height: rect.height,
      focused: focus === wid || (top !== null && top === focusTop),
    };
    if (p !== undefined) w.pid = p;
    out.push(w);
  }
  return out;
}
