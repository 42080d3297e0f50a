import { ActivityRow, ReportQuery } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { toCsv } from './service.js';

export function registerReportRoutes(ctx: AppContext): void {
  defineRoute(ctx.app, ctx, {
    method: 'GET',
    url: '/api/reports/activity',
    summary: 'CSR activity report (REP-1); format=csv answers text/csv',
    tag: 'reports',
    auth: 'rep',
    query: ReportQuery,
    response: z.object({ rows: z.array(ActivityRow) }),
    handler: async ({ query, user, reply }) => {
      const rows = await ctx.reports.activity(query, user!);
      if (query.format === 'csv') {
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="csr-activity-${query.from ?? 'all'}-${query.to ?? 'all'}.csv"`)
          .send(toCsv(rows));
        return;
      }
      return { rows };
    },
  });
}
