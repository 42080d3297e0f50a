import { z } from 'zod';

/**
 * Several monitors in remote control (DSK-2): the customer's Support Manager
 * tells the rep's console which monitors it can show and which one it shows,
 * and the rep picks another. Both go as JSON messages on the control
 * connection's `input` data channel (INPUT_CHANNEL), next to the input
 * events: one ordered channel, so a selection and the clicks after it arrive
 * in the order the rep made them.
 */

/** One monitor as the rep sees it (no desktop coordinates: the rep only ever addresses the monitor shown). */
export const ScreenInfo = z.object({
  /** Opaque, stable while the monitor layout does not change. */
  id: z.string().min(1).max(100),
  /** What the customer's system calls it (e.g. "HDMI-1"). */
  name: z.string().max(200),
  width: z.number().int().min(0).max(65535),
  height: z.number().int().min(0).max(65535),
  primary: z.boolean(),
});
export type ScreenInfo = z.infer<typeof ScreenInfo>;

/** At most this many monitors are listed. */
export const MAX_SCREENS = 16;

/**
 * Device → rep: the monitors, sent when the channel opens and whenever the
 * list or the shown monitor changes. `current` is the id of the monitor
 * shown, null when a single application window is shared (app.control).
 */
export const ScreensMessage = z.object({
  type: z.literal('screens'),
  monitors: z.array(ScreenInfo).max(MAX_SCREENS),
  current: z.string().min(1).max(100).nullable(),
});
export type ScreensMessage = z.infer<typeof ScreensMessage>;

/**
 * Rep → device: show this monitor instead. Taken only from the primary rep
 * while control is active, and only for an id of the last `screens` list;
 * anything else is ignored. Pointer coordinates of the input events that
 * follow are pixels of the new monitor's frames.
 */
export const ScreenSelect = z.object({
  type: z.literal('screen.select'),
  monitorId: z.string().min(1).max(100),
});
export type ScreenSelect = z.infer<typeof ScreenSelect>;

/**
 * Rep → device: send me the `screens` message (again). The console asks once
 * it listens to the channel, since the one sent when the channel opened may
 * have arrived before its listener was attached. Answered to any viewer.
 */
export const ScreensRequest = z.object({ type: z.literal('screens.get') });
export type ScreensRequest = z.infer<typeof ScreensRequest>;
