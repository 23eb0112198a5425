/**
 * The list of reports in a scope (举报列表), for the console's reports page: triage, deadline,
 * overdue and result per report — never a sealed column (text, reporter, an official's name, the
 * finding's summary), nor the channel's own reference. Open ones first, by deadline.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ID } from '../../domain/schemas.js';
import type { App, Services } from '../context.js';
import { authorize, resolveScope } from '../guards.js';
import { errorResponses } from '../openapi.js';

export const reportListRow = z.object({
  id: z.string(),
  jurisdictionId: z.string(),
  jurisdictionName: z.string(),
  channel: z.string(),
  category: z.string(),
  targetType: z.string(),
  targetCycleId: z.string().nullable(),
  targetPersonId: z.string().nullable(),
  status: z.string(),
  triage: z.string().nullable(),
  unit: z.string().nullable(),
  receivedAt: z.string(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  escalatedAt: z.string().nullable(),
  finding: z.string().nullable(),
  consequence: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedOnTime: z.boolean().nullable(),
});

export function registerReportListRoute(app: App, s: Services) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports',
      tags: ['reports'],
      summary: '举报列表 (reports in my scope: triage, deadline, result; no sealed field)',
      request: {
        query: z.strictObject({
          scope: z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule).optional(),
          status: z.enum(['open', 'all']).default('all'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: {
        200: {
          description: 'open reports first, earliest deadline first',
          content: { 'application/json': { schema: z.object({ reports: z.array(reportListRow) }) } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'report.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      return c.json({ reports: await s.read.reports.list(scope, q.status, q.limit) }, 200);
    },
  );
}
