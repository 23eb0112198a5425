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

export function authenticate(config: AuthConfig): MiddlewareHandler<Env> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+([A-Za-z0-9_.-]+)$/.exec(header);
    if (!match) throw unauthenticated('a bearer token is required (Authorization: Bearer <jwt>)');
    let payload: unknown;
    try {
      // The signature first, claims unread: hono's verify judges exp, nbf and iat before the
      // signature, so an edited token would be told which of its unsigned claims failed.
      await verify(match[1]!, config.secret, { alg: JWT_ALG, exp: false, nbf: false, iat: false });
      payload = await verify(match[1]!, config.secret, { alg: JWT_ALG, iss: config.issuer, aud: config.audience });
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
    const { exp: _exp, ...principal } = claims.data;
    c.set('principal', principal);
    await next();
  };
}

function unauthenticated(message: string) {
  return new ApiError(401, ErrorCode.Unauthenticated, message);
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
