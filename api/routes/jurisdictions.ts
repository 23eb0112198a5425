/** The administrative tree: load or update a subtree in bulk, read a subtree. */
import { createRoute, z } from '@hono/zod-openapi';
import { ID, jurisdictionSchema } from '../../domain/schemas.js';
import type { App, Services } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf, authorize, idempotencyKey, requireInScope } from '../guards.js';
import { errorResponses, json } from '../openapi.js';

const bulkSchema = z.strictObject({ jurisdictions: z.array(jurisdictionSchema).min(1).max(20_000) });

export function registerJurisdictionRoutes(app: App, s: Services) {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/jurisdictions',
      tags: ['jurisdictions'],
      summary: '导入或更新行政区划子树 (upsert a subtree)',
      description:
        'Every row must lie inside your scope: its parent must be in your scope or in the same request under a row that is.',
      request: {
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
    }),
    async (c) => {
      authorize(c, 'jurisdiction.write');
      const { jurisdictions } = c.req.valid('json');
      const scope = c.get('principal').scope;
      const inRequest = new Map(jurisdictions.map((j) => [j.id, j]));
      // A row is inside the caller's scope if it is the scope, or its parent chain reaches the scope.
      const inside = new Map<string, boolean>();
      const check = async (id: string, seen: Set<string>): Promise<boolean> => {
        if (id === scope) return true;
        if (inside.has(id)) return inside.get(id)!;
        const row = inRequest.get(id);
        let result: boolean;
        if (row && !seen.has(id)) result = row.parentId !== null && (await check(row.parentId, new Set([...seen, id])));
        else result = !row && (await s.read.within(scope, id));
        inside.set(id, result);
        return result;
      };
      for (const [i, j] of jurisdictions.entries()) {
        if (!(await check(j.id, new Set())))
          throw new ApiError(404, 'NOT_FOUND', `jurisdiction ${j.parentId ?? j.id} not found in your scope`, [
            { path: `jurisdictions[${i}].parentId`, rule: 'must lie inside your scope' },
          ]);
      }
      return c.json(
        await s.jurisdictions.upsertJurisdictions(jurisdictions, actorOf(c), `jurisdictions:${idempotencyKey(c)}`),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jurisdictions/{id}/subtree',
      tags: ['jurisdictions'],
      summary: '行政区划子树 (a subtree)',
      request: {
        params: z.object({
          id: z
            .string()
            .regex(ID.jurisdiction.pattern, ID.jurisdiction.rule)
            .openapi({ param: { name: 'id', in: 'path' }, example: '440300' }),
        }),
      },
      responses: {
        200: {
          description: 'the subtree, parents first',
          content: { 'application/json': { schema: z.object({ jurisdictions: z.array(jurisdictionSchema) }) } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'jurisdiction.read');
      const { id } = c.req.valid('param');
      await requireInScope(c, s, id, `jurisdiction ${id}`);
      return c.json({ jurisdictions: await s.read.subtree(id) }, 200);
    },
  );
}
