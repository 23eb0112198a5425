/**
 * A per-caller token bucket, in memory: each caller (token subject, roles and scope) gets `perMinute` requests a
 * minute with bursts up to `burst`. Over it: 429 with Retry-After. One API replica keeps its own
 * buckets; behind a load balancer the limit applies per replica.
 */
import type { MiddlewareHandler } from 'hono';
import type { Env } from './env.js';
import { ApiError, ErrorCode } from './errors.js';

export interface RateLimit {
  perMinute: number;
  burst: number;
}

export function rateLimit(limit: RateLimit, now: () => number = Date.now): MiddlewareHandler<Env> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = limit.perMinute / 60_000;
  return async (c, next) => {
    // A caller as an Idempotency-Key binds one (api/guards.ts): subject, roles and scope. Subjects are
    // names where tokens are issued by hand (张三), and one name's burst must not lock out the same name
    // in another jurisdiction or role.
    const p = c.get('principal');
    const key = JSON.stringify([p.sub, [...p.roles].sort(), p.scope]);
    const t = now();
    const b = buckets.get(key) ?? { tokens: limit.burst, at: t };
    b.tokens = Math.min(limit.burst, b.tokens + (t - b.at) * refillPerMs);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / refillPerMs / 1000);
      c.header('Retry-After', String(wait));
      throw new ApiError(429, ErrorCode.RateLimited, `too many requests from ${p.sub}; retry in ${wait} s`, [
        { path: '(caller)', rule: `at most ${limit.perMinute} requests a minute, ${limit.burst} at once` },
      ]);
    }
    b.tokens -= 1;
    if (buckets.size > 100_000) buckets.clear(); // bound memory under a flood of distinct subjects
    await next();
  };
}
