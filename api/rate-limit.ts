/**
 * A per-user token bucket, in memory: each caller (token subject) gets `perMinute` requests a
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
    const key = c.get('principal').sub;
    const t = now();
    const b = buckets.get(key) ?? { tokens: limit.burst, at: t };
    b.tokens = Math.min(limit.burst, b.tokens + (t - b.at) * refillPerMs);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / refillPerMs / 1000);
      c.header('Retry-After', String(wait));
      throw new ApiError(429, ErrorCode.RateLimited, `too many requests from ${key}; retry in ${wait} s`);
    }
    b.tokens -= 1;
    if (buckets.size > 100_000) buckets.clear(); // bound memory under a flood of distinct subjects
    await next();
  };
}
