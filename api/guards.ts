/** Per-request checks every route uses: the role matrix, the caller's scope, and who the actor is. */
import { createHash, randomUUID } from 'node:crypto';
import { canonical } from '../domain/canonical.js';
import type { Context, MiddlewareHandler } from 'hono';
import type { Actor } from '../domain/schemas.js';
import { allows, type Action } from './authz.js';
import type { Env, Services } from './context.js';
import { ApiError, ErrorCode, notFound } from './errors.js';
import { KEYED_PREFIX } from './updates.js';

export function authorize(c: Context<Env>, action: Action): void {
  const p = c.get('principal');
  if (!allows(p.roles, action)) {
    throw new ApiError(403, ErrorCode.Forbidden, `role ${p.roles.join(', ')} may not ${action}`, [
      { path: 'roles', rule: `${action} needs another role` },
    ]).asDenial();
  }
}

/**
 * A route's role check, run before its input is validated: a caller without the role learns nothing
 * of what the route would accept (found from outside: a 400 answered a caller the route would refuse).
 */
export const requires =
  (action: Action): MiddlewareHandler<Env> =>
  async (c, next) => {
    authorize(c, action);
    await next();
  };

/**
 * A compressed calendar (a working day of seconds) ends a publicity period and every deadline in
 * moments: for demos and tests only, refused where the deployment has not turned it on.
 */
export function requireCalendarAllowed(s: Services, calendar: { kind: string }, path: string): void {
  if (calendar.kind !== 'compressed' || s.compressedCalendars !== false) return;
  throw new ApiError(400, ErrorCode.Validation, `${path}: compressed calendars are off on this deployment`, [
    { path, rule: 'a compressed calendar is for demos and tests (the API allows it with COMPRESSED_CALENDARS=1)' },
  ]);
}

/** Out of scope looks exactly like absent: 404, naming where the id came from (`path`: the URL's, else a field). */
export async function requireInScope(
  c: Context<Env>,
  s: Services,
  jurisdictionId: string,
  what: string,
  path?: string,
): Promise<void> {
  if (!(await s.read.within(c.get('principal').scope, jurisdictionId))) throw notFound(what, path).asDenial();
}

/** The jurisdiction a cycle id names (`<jurisdictionId>:<term>`): the API's one reading of it. */
export const cycleJurisdiction = (cycleId: string) => cycleId.slice(0, cycleId.lastIndexOf(':'));

/** A cycle (and everything under it: candidates, supervision) outside the caller's scope is absent: 404. */
export const requireCycleInScope = (c: Context<Env>, s: Services, cycleId: string) =>
  requireInScope(c, s, cycleJurisdiction(cycleId), `cycle ${cycleId}`);

/**
 * 403 unless the caller (its cycle in scope) acts from above the cycle's jurisdiction: what the upper
 * level does about a cycle — its approval, its supervision — is not the cycle's own level's to do. A
 * root has no level above it in the tree: its own level does it.
 */
export async function requireAboveCycle(c: Context<Env>, s: Services, cycleId: string, what: string): Promise<void> {
  const jurisdictionId = cycleJurisdiction(cycleId);
  if (c.get('principal').scope === jurisdictionId && (await s.read.jurisdiction(jurisdictionId))?.parentId)
    throw new ApiError(403, ErrorCode.Forbidden, `${what} of cycle ${cycleId} is the upper level's`, [
      { path: 'scope', rule: "above the cycle's jurisdiction" },
    ]).asDenial();
}

/**
 * 403 unless the caller (its cycle in scope) acts from the level directly above the cycle's jurisdiction —
 * its parent in the tree; a root's own level for a root. A checkpoint is filed once: from the cycle's own
 * level it pre-empted its watchers (found from outside, 12-07), and from two levels up the city team's
 * clean filing of a 街道's checkpoint left the district team's high finding refused as a duplicate (found
 * from outside the same day). A caller whose scope does not hold the cycle is left to the scope check (404).
 */
export async function requireSupervisingLevel(
  c: Context<Env>,
  s: Services,
  cycleId: string,
  what: string,
): Promise<void> {
  const jurisdictionId = cycleJurisdiction(cycleId);
  const scope = c.get('principal').scope;
  const row = await s.read.jurisdiction(jurisdictionId);
  const supervising = row?.parentId ?? jurisdictionId;
  if (scope === supervising || !row || !(await s.read.within(scope, jurisdictionId))) return;
  throw new ApiError(403, ErrorCode.Forbidden, `${what} of cycle ${cycleId} is filed by ${supervising}'s teams`, [
    { path: 'scope', rule: `the level directly above the cycle's jurisdiction (${supervising})` },
  ]).asDenial();
}

/**
 * The caller acts from `level` or above it (a hold or a finding raised there): the city's on a
 * district's cycle is not the district's to lift. Nothing raised, or a level since removed from the
 * tree, binds no one — or nobody could ever act on what it raised.
 */
async function fromLevelOrAbove(c: Context<Env>, s: Services, level: string | undefined): Promise<boolean> {
  if (level === undefined) return true;
  return (await s.read.within(c.get('principal').scope, level)) || !(await s.read.jurisdiction(level));
}

/**
 * 409 unless the caller acts from `level` or above (fromLevelOrAbove), naming what was done there and
 * the field that names it: "hold X was raised at 440300, which 440303 is not at or above".
 */
export async function requireFromLevelOrAbove(
  c: Context<Env>,
  s: Services,
  level: string | undefined,
  o: { what: string; done: 'raised' | 'filed' | 'suspended'; path: string; act?: string },
): Promise<void> {
  if (await fromLevelOrAbove(c, s, level)) return;
  throw new ApiError(
    409,
    ErrorCode.Conflict,
    `${o.what} was ${o.done} at ${level}, which ${c.get('principal').scope} is not at or above`,
    [{ path: o.path, rule: `${o.act ? `${o.act} ` : ''}from ${level}, where it was ${o.done}, or above` }],
  );
}

/** The scope a list or ledger reads: the one asked for (which must lie inside the caller's), else the caller's own. */
export async function resolveScope(c: Context<Env>, s: Services, requested: string | undefined): Promise<string> {
  if (requested === undefined) return c.get('principal').scope;
  await requireInScope(c, s, requested, `jurisdiction ${requested}`, 'scope');
  return requested;
}

export function actorOf(c: Context<Env>): Actor {
  const p = c.get('principal');
  return { id: p.sub, role: p.roles.join(','), requestId: c.get('requestId'), scope: p.scope };
}

/**
 * Retrying a request with the same Idempotency-Key returns the first result instead of acting twice;
 * the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED), never silently answered
 * with the first result. The key is bound, in Postgres, to a hash of the canonical body; it belongs to
 * one caller (sub, roles, scope) on one method, route and decoded parameters, so two callers' keys
 * never meet and a path spelt another way is no new request. The id
 * returned (used as the Update id / audit key) is derived from that binding for the same reason.
 */
export async function idempotencyKey(c: Context<Env>, s: Pick<Services, 'pool'>): Promise<string> {
  const bound = await keyBinding(c);
  if (!bound) return randomUUID();
  await s.pool.query(
    'INSERT INTO idempotency_keys (binding, fingerprint) VALUES ($1, $2) ON CONFLICT (binding) DO NOTHING',
    [bound.binding, bound.fingerprint],
  );
  if ((await boundFingerprint(s, bound.binding)) !== bound.fingerprint)
    throw new ApiError(
      422,
      ErrorCode.IdempotencyKeyReused,
      `Idempotency-Key ${bound.key} was already used with another body; use a new key for a new request`,
      [{ path: 'header.Idempotency-Key', rule: 'one key, one body' }],
    );
  return updateIdOf(bound.binding);
}

/**
 * The id `idempotencyKey` gave this caller's Idempotency-Key and body on an earlier request, if one
 * did; binds nothing. A route whose checks read state that may change after its input was taken (a
 * hold's raiser) asks what became of that id first: a retry gets the first answer, not the checks
 * run again on what the input itself changed.
 */
export async function earlierUpdateId(c: Context<Env>, s: Pick<Services, 'pool'>): Promise<string | undefined> {
  const bound = await keyBinding(c);
  if (!bound || (await boundFingerprint(s, bound.binding)) !== bound.fingerprint) return undefined;
  return updateIdOf(bound.binding);
}

/** The request's key bound to its caller and target, and its body's fingerprint; undefined without a key. */
async function keyBinding(c: Context<Env>): Promise<{ key: string; binding: string; fingerprint: string } | undefined> {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(400, ErrorCode.Validation, 'Idempotency-Key must be 8–128 letters, digits or _ . : -', [
      { path: 'header.Idempotency-Key', rule: '8–128 of [A-Za-z0-9_.:-]' },
    ]);
  }
  const p = c.get('principal');
  const body: unknown = await c.req.json().catch(() => null);
  // The route and its decoded parameters, not the path as spelt: `440310%3A2091` and `440310:2091`
  // reach the same cycle, so a retry spelt either way is the same request.
  const target = [c.req.routePath, c.req.param() as Record<string, string>];
  const binding = sha256(canonical([p.sub, [...p.roles].sort(), p.scope, c.req.method, target, key]));
  return { key, binding, fingerprint: sha256(canonical(body ?? null)) };
}

async function boundFingerprint(s: Pick<Services, 'pool'>, binding: string): Promise<string | undefined> {
  const { rows } = await s.pool.query<{ fingerprint: string }>(
    'SELECT fingerprint FROM idempotency_keys WHERE binding = $1',
    [binding],
  );
  return rows[0]?.fingerprint;
}

const updateIdOf = (binding: string) => `${KEYED_PREFIX}${binding.slice(0, 40)}`;

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
