/**
 * Types for the parts of the `x11` npm package (4.x, pure-JS X11 client,
 * CommonJS, ships no types) that the X11 backend uses. Only what is called is
 * declared; see node_modules/x11/docs for the whole API.
 */
declare module 'x11' {
  /** Callbacks get (err, result); returning true marks an X error as handled (not re-emitted on the client). */
  type Cb<T> = (err: XError | null | undefined, result: T) => unknown;
  type VoidCb = (err: XError | null | undefined) => unknown;

  export interface XError extends Error {
    error?: number;
    seq?: number;
    badParam?: number;
    majorOpcode?: number;
    minorOpcode?: number;
  }

  export interface XVisual {
    vid: number;
    class: number;
    bits_per_rgb: number;
    red_mask: number;
    green_mask: number;
    blue_mask: number;
  }

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
    root_visual: number;
    depths: Record<string, Record<string, XVisual>>;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
    resource_mask: number;
    resource_base: number;
    image_byte_order: number;
    byte_order: number;
    format: Record<string, { bits_per_pixel: number; scanline_pad: number }>;
    isLocalSocket: boolean;
  }

  export interface XEvent {
    name: string;
    type: number;
    seq: number;
    [field: string]: unknown;
  }

  export interface XGeometry {
    depth: number;
    windowid: number;
    xPos: number;
    yPos: number;
    width: number;
    height: number;
    borderWidth: number;
  }

  export interface XWindowAttributes {
    klass: number;
    mapState: number;
    overrideRedirect: number;
    visual: number;
  }

  export interface XProperty {
    type: number;
    format: number;
    bytesAfter: number;
    data: Buffer;
  }

  export interface XPointer {
    sameScreen: number;
    root: number;
    child: number;
    rootX: number;
    rootY: number;
    childX: number;
    childY: number;
    keyMask: number;
  }

  export interface XClient {
    seq_num: number;
    replies: Record<number, [((buf: Buffer, opt: number) => unknown) | null, (err: XError | null | undefined, res: unknown) => unknown]>;
    pack_stream: { put(b: Buffer): void; submit(expectReply?: boolean): boolean };
    atoms: Record<string, number>;
    on(event: 'event', listener: (ev: XEvent) => void): this;
    on(event: 'error', listener: (err: XError) => void): this;
    on(event: 'end' | 'close', listener: () => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
    require(name: string, cb: Cb<any>): void;
    AllocID(): number;
    ReleaseID(id: number): void;
    sync(): Promise<void>;
    close(cb?: () => void): void;
    terminate(): void;

    GetGeometry(drawable: number, cb: Cb<XGeometry>): void;
    GetWindowAttributes(wid: number, cb: Cb<XWindowAttributes>): void;
    ChangeWindowAttributes(wid: number, values: Record<string, number>, cb?: VoidCb): void;
    QueryTree(wid: number, cb: Cb<{ root: number; parent: number; children: number[] }>): void;
    InternAtom(onlyIfExists: boolean, name: string, cb: Cb<number>): void;
    GetAtomName(atom: number, cb: Cb<string>): void;
    GetProperty(del: number, wid: number, name: number, type: number, longOffset: number, longLength: number, cb: Cb<XProperty>): void;
    TranslateCoordinates(src: number, dst: number, x: number, y: number, cb: Cb<{ sameScreen: number; child: number; destX: number; destY: number }>): void;
    QueryPointer(wid: number, cb: Cb<XPointer>): void;
    GetInputFocus(cb: Cb<{ revertTo: number; focus: number }>): void;
    SetInputFocus(wid: number, revertTo: number, cb?: VoidCb): void;
    QueryKeymap(cb: Cb<Buffer>): void;
    GetKeyboardMapping(first: number, count: number, cb: Cb<number[][]>): void;
    ChangeKeyboardMapping(first: number, keysymsPerKeycode: number, keysyms: number[], cb?: VoidCb): void;
    GetModifierMapping(cb: Cb<number[][]>): void;
    GetImage(format: number, drawable: number, x: number, y: number, width: number, height: number, planeMask: number, cb: Cb<{ depth: number; visualId: number; data: Buffer }>): void;
    SendClientMessage(destination: number, wid: number, messageType: number, format: 8 | 16 | 32, data: number[], eventMask?: number, cb?: VoidCb): void;
    ConfigureWindow(wid: number, options: Record<string, number>): void;
    // used by the tests' probe windows
    CreateWindow(wid: number, parent: number, x: number, y: number, width: number, height: number, borderWidth?: number, depth?: number, klass?: number, visual?: number, values?: Record<string, number>): void;
    MapWindow(wid: number): void;
    DestroyWindow(wid: number, cb?: VoidCb): void;
    ChangeProperty(mode: number, wid: number, name: number, type: number, format: number, data: Buffer | string | number | number[], cb?: VoidCb): void;
    DeleteProperty(wid: number, name: number, cb?: VoidCb): void;
    // selections (the clipboard)
    SetSelectionOwner(owner: number, selection: number, time: number, cb?: VoidCb): void;
    GetSelectionOwner(selection: number, cb: Cb<number>): void;
    ConvertSelection(requestor: number, selection: number, target: number, property: number, time: number, cb?: VoidCb): void;
    /** `event` is the 32 wire bytes or an object shaped like a parsed event (`name` plus its fields). */
    SendEvent(destination: number, propagate: number, eventMask: number, event: Buffer | Record<string, unknown>, cb?: VoidCb): void;
    CreateGC(gc: number, drawable: number, values: Record<string, number>): void;
    ChangeGC(gc: number, values: Record<string, number>): void;
    PolyFillRectangle(drawable: number, gc: number, rects: number[]): boolean;
  }

  const x11: {
    createClient(options: { display?: string; shm?: boolean | 'off' }, cb: (err: Error | null | undefined, display: XDisplay) => void): XClient;
    keySyms: Record<string, { code: number; description: string | null }>;
    eventMask: Record<string, number>;
  };
  export default x11;
}
