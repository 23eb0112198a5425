/** System routes under /v1: a round trip through every part, and the audit chain's check. */
import { createRoute, z } from '@hono/zod-openapi';
import { requires } from '../../guards.js';
import { errorResponses, json } from '../../openapi.js';

export const ping = createRoute({
  middleware: requires('system.ping'),
  method: 'post',
  path: '/v1/ping',
  tags: ['system'],
  summary: 'round trip through Temporal, a worker and Postgres',
  request: { body: json(z.strictObject({ message: z.string().max(200) }), { message: '你好' }) },
  responses: {
    200: {
      description: 'echo',
      content: { 'application/json': { schema: z.object({ echo: z.string(), databaseTime: z.string() }) } },
    },
    ...errorResponses(400, 401),
  },
});

export const verifyAudit = createRoute({
  middleware: requires('audit.verify'),
  method: 'get',
  path: '/v1/audit/verify',
  tags: ['system'],
  summary: "核验审计链 (verify the audit trail's hash chain)",
  description:
    'The chain is one for every jurisdiction: only a caller whose scope is at the top of the tree (a jurisdiction without a parent) may verify it; any other scope gets 403. Callers asking while a check runs share the next one.',
  responses: {
    200: {
      description: 'the chain, checked from the first row',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.boolean(),
            rows: z.number(),
            brokenAt: z.object({ id: z.string(), reason: z.string() }).optional(),
          }),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});
