import { SiteSettings } from '@rs/protocol';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';

export function registerSettingsRoutes(ctx: AppContext): void {
  defineRoute(ctx.app, ctx, {
    method: 'GET',
    url: '/api/settings',
    summary: 'Site settings (every signed-in user reads them: the console depends on them)',
    tag: 'settings',
    auth: 'user',
    response: SiteSettings,
    handler: async () => ctx.settings.get(),
  });

  defineRoute(ctx.app, ctx, {
    method: 'PUT',
    url: '/api/settings',
    summary: 'Replace the site settings',
    tag: 'settings',
    auth: 'admin',
    body: SiteSettings,
    response: SiteSettings,
    handler: async ({ body }) => {
      await ctx.settings.set(body);
      return body;
    },
  });
}
