/**
 * ACD-3: what gets an agent's attention when an offer arrives: a short beep
 * made with WebAudio (no sound file) and a browser notification when allowed.
 */
let audio: AudioContext | null = null;

function context(): AudioContext | null {
  if (typeof window === 'undefined' || !('AudioContext' in window)) return null;
  audio ??= new AudioContext();
  return audio;
}

/** Browsers start audio only after a click: call this from one (switching to Available, any click). */
export function primeAudio(): void {
  const c = context();
  if (c && c.state === 'suspended') void c.resume().catch(() => undefined);
}

/** Two short tones. Silent when the browser does not allow sound yet. */
export function beep(): void {
  try {
    const c = context();
    if (!c) return;
    if (c.state === 'suspended') void c.resume().catch(() => undefined);
    const start = c.currentTime + 0.01;
    [880, 660].forEach((freq, i) => {
      const t0 = start + i * 0.22;
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18);
      osc.connect(gain).connect(c.destination);
      osc.start(t0);
      osc.stop(t0 + 0.2);
    });
  } catch {
    // No audio device or not allowed: the visible alert is enough.
  }
}

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Asks once (the browser remembers the answer); call it from a click. */
export function askNotificationPermission(): void {
  if (notificationsSupported() && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
}

/** A system notification when permitted and the page is not in front; a click brings the page back. */
export function notify(title: string, body: string, tag: string): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker.
  }
}
