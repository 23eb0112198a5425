/** Per-request checks every route uses: the role matrix, the caller's scope, and who the actor is. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Actor } from '../domain/schemas.js';
import { allows, type Action } from './authz.js';
import type { Env, Services } from './context.js';
import { ApiError, notFound } from './errors.js';

export function authorize(c: Context<Env>, action: Action): void {
  const p = c.get('principal');
  if (!allows(p.roles, action)) {
    throw new ApiError(403, 'FORBIDDEN', `role ${p.roles.join(', ')} may not ${action}`, [
      { path: 'roles', rule: `${action} needs another role` },
    ]).asDenial();
  }
}

/** Out of scope looks exactly like absent: 404. */
export async function requireInScope(
  c: Context<Env>,
  s: Services,
  jurisdictionId: string,
  what: string,
): Promise<void> {
  if (!(await s.read.within(c.get('principal').scope, jurisdictionId))) throw notFound(what).asDenial();
}

/** The scope a list or ledger reads: the one asked for (which must lie inside the caller's), else the caller's own. */
export async function resolveScope(c: Context<Env>, s: Services, requested: string | undefined): Promise<string> {
  if (requested === undefined) return c.get('principal').scope;
  await requireInScope(c, s, requested, `jurisdiction ${requested}`);
  return requested;
}

export function actorOf(c: Context<Env>): Actor {
  const p = c.get('principal');
  return { id: p.sub, role: p.roles.join(','), requestId: c.get('requestId') };
}

/** Retrying a request with the same Idempotency-Key returns the first result instead of acting twice. */
export function idempotencyKey(c: Context<Env>): string {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return randomUUID();
  if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(key)) {
    throw new ApiError(400, 'VALIDATION', 'Idempotency-Key must be 8–128 letters, digits or _ . : -', [
      { path: 'header.Idempotency-Key', rule: '8–128 of [A-Za-z0-9_.:-]' },
    ]);
  }
  return key;
}
