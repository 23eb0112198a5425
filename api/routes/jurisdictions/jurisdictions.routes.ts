/** The administrative tree: load or update a subtree in bulk, read a subtree. */
import { createRoute, z } from '@hono/zod-openapi';
import { requires } from '../../guards.js';
import { jurisdictionSchema } from '../../../domain/eager/schemas.js';
import { errorResponses, idempotencyHeaders, json } from '../../openapi.js';
import { scopeQuery } from '../params.js';

const bulkSchema = z.strictObject({ jurisdictions: z.array(jurisdictionSchema).min(1).max(20_000) });

export const upsert = createRoute({
  middleware: requires('jurisdiction.write'),
  method: 'put',
  path: '/v1/jurisdictions',
  tags: ['jurisdictions'],
  summary: '导入或更新行政区划子树 (upsert a subtree)',
  description:
    "A tree edit touches only rows already inside your scope and keeps them inside it: an existing row must lie in your scope, and every row's (new) parent must be in your scope or in the same request under a row that is. Your own scope's row keeps its parent (you may rename it). No row becomes a root over the API; a root is created only with a token granted root authority for that very root (npm run seed). A token whose scope is not in the tree writes nothing. Moving a node under its own descendant, or a level not below its parent's, is 422. Every edit is on the audit chain with what moved from where. At most 20,000 rows, and the body within the API's body limit (BODY_LIMIT_BYTES, 1 MB by default: about 15,000 short rows) — over it 413; send a larger tree in parts, parents first.",
  request: {
    headers: idempotencyHeaders,
    body: json(bulkSchema, {
      jurisdictions: [
        { id: '440306', name: '宝安区', level: 'county', parentId: '440300' },
        { id: '440306001', name: '新安街道', level: 'township', parentId: '440306' },
      ],
    }),
  },
  responses: {
    200: {
      description: 'upserted',
      content: { 'application/json': { schema: z.object({ upserted: z.number() }) } },
    },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const subtree = createRoute({
  middleware: requires('jurisdiction.read'),
  method: 'get',
  path: '/v1/jurisdictions/{id}/subtree',
  tags: ['jurisdictions'],
  summary: '行政区划子树 (a subtree)',
  request: {
    params: z.object({ id: scopeQuery.openapi({ param: { name: 'id', in: 'path' }, example: '440300' }) }),
  },
  responses: {
    200: {
      description: 'the subtree, parents first',
      content: { 'application/json': { schema: z.object({ jurisdictions: z.array(jurisdictionSchema) }) } },
    },
    ...errorResponses(401, 403, 404),
  },
});
