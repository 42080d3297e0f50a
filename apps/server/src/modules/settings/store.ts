import { DEFAULT_SITE_SETTINGS, SiteSettings } from '@rs/protocol';
import type { Kv } from '../../db/kv.js';

const KEY = 'site_settings';

export class SettingsStore {
  constructor(private readonly kv: Kv) {}

  async get(): Promise<SiteSettings> {
    const raw = await this.kv.get(KEY);
    if (!raw) return DEFAULT_SITE_SETTINGS;
    // Settings saved by an older version may lack newer keys: defaults fill them.
    const parsed = SiteSettings.partial().safeParse(JSON.parse(raw));
    return { ...DEFAULT_SITE_SETTINGS, ...(parsed.success ? parsed.data : {}) };
  }

  async set(settings: SiteSettings): Promise<void> {
    await this.kv.set(KEY, JSON.stringify(settings));
  }
}
