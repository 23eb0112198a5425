/**
 * Bearer JWTs, HS256 only (the algorithm is fixed here, never taken from the token), with issuer,
 * audience and expiry required. Claims: `sub`, `roles` (organizer, reviewer:<dept>, supervisor,
 * intake, investigator, viewer, operator) and `scope` (a jurisdiction id: the subtree it roots).
 */
import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import type { Env } from './env.js';
import { ApiError, ErrorCode } from './errors.js';
import { claimsSchema, type AuthConfig, type Principal } from './principal.js';

export { claimsSchema, type AuthConfig, type Principal } from './principal.js';

export const JWT_ALG = 'HS256' as const;

/** How many verified tokens are remembered (each a few hundred bytes); the oldest go first. */
const REMEMBERED_TOKENS = 10_000;

/** Its time claims hold now (as hono's verify judges them): a remembered token is used only then. */
const inTime = (p: { exp: number; nbf?: number; iat?: number }, now: number) =>
  p.exp > now && (p.nbf === undefined || p.nbf <= now) && (p.iat === undefined || p.iat <= now);

export function authenticate(config: AuthConfig): MiddlewareHandler<Env> {
  // Verifying costs two WebCrypto key imports and HMACs per request — under the benchmark's reads,
  // the API's largest share of CPU. A token whose signature and claims held once is remembered with
  // its claims; each use judges its time claims again, and any that fail take the full path, so a
  // remembered token is refused exactly as a new one would be.
  const verified = new Map<string, { principal: Principal; times: { exp: number; nbf?: number; iat?: number } }>();
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    // The scheme in any case (RFC 7235: schemes are case-insensitive; found from outside: `bearer` was refused).
    const match = /^bearer\s+([A-Za-z0-9_.-]+)$/i.exec(header);
    if (!match) throw unauthenticated('a bearer token is required (Authorization: Bearer <jwt>)');
    const token = match[1]!;
    // One spelling per token: base64url's last character can carry spare bits the decoder ignores,
    // so four strings would verify as one (found from outside). Only the canonical one is accepted.
    const signature = token.slice(token.lastIndexOf('.') + 1);
    if (Buffer.from(signature, 'base64url').toString('base64url') !== signature)
      throw unauthenticated('invalid token: token signature mismatched');
    const known = verified.get(token);
    if (known && inTime(known.times, Math.floor(Date.now() / 1000))) {
      c.set('principal', known.principal);
      return next();
    }
    let payload: unknown;
    try {
      // The signature first, claims unread: hono's verify judges exp, nbf and iat before the
      // signature, so an edited token would be told which of its unsigned claims failed.
      await verify(token, config.secret, { alg: JWT_ALG, exp: false, nbf: false, iat: false });
      payload = await verify(token, config.secret, { alg: JWT_ALG, iss: config.issuer, aud: config.audience });
    } catch (e) {
      throw unauthenticated(
        `invalid token: ${(e as Error).name
          .replace(/^Jwt/, '')
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .toLowerCase()}`,
      );
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success)
      throw unauthenticated(
        `invalid token claims: ${claims.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    const { exp, ...principal } = claims.data;
    const { nbf, iat } = payload as { nbf?: number; iat?: number };
    if (verified.size >= REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!);
    // Frozen: the same object serves every request that brings this token.
    Object.freeze(principal.roles);
    verified.set(token, {
      principal: Object.freeze(principal),
      times: { exp, ...(typeof nbf === 'number' ? { nbf } : {}), ...(typeof iat === 'number' ? { iat } : {}) },
    });
    c.set('principal', principal);
    await next();
  };
}

function unauthenticated(message: string) {
  return new ApiError(401, ErrorCode.Unauthenticated, message, [
    { path: 'header.Authorization', rule: 'a bearer token signed by this deployment, not expired' },
  ]);
}

export function signToken(
  config: AuthConfig,
  principal: Principal,
  ttlSeconds = 8 * 3600,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  return sign(
    { ...principal, iss: config.issuer, aud: config.audience, iat: nowSeconds, exp: nowSeconds + ttlSeconds },
    config.secret,
    JWT_ALG,
  );
}
