/** What the jurisdiction routes do. */
import { TreeAuthorityError } from '../../../activities/jurisdictions.js';
import { ErrorType } from '../../../domain/errors.js';
import type { AppRouteHandler } from '../../context.js';
import { ApiError, ErrorCode } from '../../errors.js';
import { actorOf, idempotencyKey, requireInScope } from '../../guards.js';
import type * as routes from './jurisdictions.routes.js';

export const upsert: AppRouteHandler<typeof routes.upsert> = async (c) => {
  const s = c.var.services;
  const { jurisdictions } = c.req.valid('json');
  const p = c.get('principal');
  const key = await idempotencyKey(c, s);
  try {
    return c.json(
      await s.jurisdictions.upsertJurisdictions(jurisdictions, actorOf(c), `jurisdictions:${key}`, {
        scope: p.scope,
        root: p.rootAuthority === true,
      }),
      200,
    );
  } catch (e) {
    if (e instanceof TreeAuthorityError)
      throw new ApiError(
        e.status,
        e.status === 404 ? ErrorType.NotFound : ErrorCode.Forbidden,
        e.message,
        e.details,
      ).asDenial();
    throw e;
  }
};

export const subtree: AppRouteHandler<typeof routes.subtree> = async (c) => {
  const s = c.var.services;
  const { id } = c.req.valid('param');
  await requireInScope(c, s, id, `jurisdiction ${id}`);
  return c.json({ jurisdictions: await s.read.subtree(id) }, 200);
};
