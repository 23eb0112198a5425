/**
 * The list of reports in a scope (举报列表), for the console's reports page: triage, deadline,
 * overdue and result per report — never a sealed column (text, reporter, an official's name, the
 * finding's summary), nor the channel's own reference. Open ones first, by deadline.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Pool } from '../../activities/db.js';
import { ID } from '../../domain/schemas.js';
import type { App, Services } from '../context.js';
import { authorize, resolveScope } from '../guards.js';
import { errorResponses } from '../openapi.js';

const reportRow = z.object({
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

export async function listReports(pool: Pool, scope: string, status: 'open' | 'all', limit: number) {
  const { rows } = await pool.query(
    `SELECT r.id, r.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", r.channel, r.category,
            r.target_type AS "targetType", r.target_cycle_id AS "targetCycleId", r.target_person_id AS "targetPersonId",
            r.status, r.triage, r.unit, r.received_at AS "receivedAt", r.deadline,
            (r.status <> 'closed' AND r.deadline < now()) AS overdue, r.escalated_at AS "escalatedAt",
            r.finding, r.consequence, r.closed_at AS "closedAt", r.closed_on_time AS "closedOnTime"
     FROM reports r JOIN jurisdictions j ON j.id = r.jurisdiction_id
     WHERE $1 = ANY(j.ancestors) AND ($2 = 'all' OR r.status <> 'closed')
     ORDER BY (r.status = 'closed'), r.deadline NULLS LAST, r.received_at DESC, r.id LIMIT $3`,
    [scope, status, limit],
  );
  return rows.map((r) => ({
    ...r,
    receivedAt: new Date(r.receivedAt).toISOString(),
    deadline: r.deadline ? new Date(r.deadline).toISOString() : null,
    escalatedAt: r.escalatedAt ? new Date(r.escalatedAt).toISOString() : null,
    closedAt: r.closedAt ? new Date(r.closedAt).toISOString() : null,
  }));
}

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
          content: { 'application/json': { schema: z.object({ reports: z.array(reportRow) }) } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'report.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      return c.json({ reports: await listReports(s.pool, scope, q.status, q.limit) }, 200);
    },
  );
}
