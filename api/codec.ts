/**
 * The codec endpoint the Temporal UI calls to show payloads decrypted (`POST /codec/decode`,
 * `/codec/encode`, body `{ payloads: [...] }` with base64 bytes). It answers only to a bearer token
 * whose role may read cycles, or — for the local dev UI, which cannot send tokens — to requests from
 * the configured UI origin when `trustedOrigins` is set (npm start sets it to its own UI on loopback).
 */
import { createRequire } from 'node:module';
import type { Payload } from '@temporalio/common';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { AesGcmCodec } from '../temporal/codec.js';
import { authenticate, type AuthConfig } from './auth.js';
import { allows } from './authz.js';
import type { Env } from './context.js';
import { ApiError } from './errors.js';

const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');
const PayloadProto = temporal.api.common.v1.Payload;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => PayloadProto.fromObject(p);
const toJson = (p: Payload): JsonPayload => PayloadProto.toObject(PayloadProto.create(p), { bytes: String });

export function codecRoutes(o: {
  codec: AesGcmCodec;
  auth: AuthConfig;
  trustedOrigins: string[];
  /** Origins whose browsers may call with a token (the UI passes the signed-in user's); no token-less access. */
  corsOrigins?: string[];
}) {
  const app = new Hono<Env>();
  const allowed = [...o.trustedOrigins, ...(o.corsOrigins ?? [])];
  app.use(
    '*',
    cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowHeaders: ['content-type', 'authorization', 'x-namespace'],
      allowMethods: ['POST', 'OPTIONS'],
      credentials: true,
    }),
  );
  const verify = authenticate(o.auth);
  app.use('*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const origin = c.req.header('origin');
    if (!c.req.header('authorization') && origin && o.trustedOrigins.includes(origin)) return next();
    return verify(c, async () => {
      if (!allows(c.get('principal').roles, 'codec.use'))
        throw new ApiError(403, 'FORBIDDEN', 'your role may not read payloads');
      await next();
    });
  });
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, async (c) => {
      const body = await c.req.json<{ payloads?: JsonPayload[] }>().catch(() => undefined);
      // Proto-JSON leaves out an empty list: `{}` is a request with no payloads.
      if (!body || (body.payloads !== undefined && !Array.isArray(body.payloads))) {
        throw new ApiError(400, 'VALIDATION', 'body must be { payloads: [...] }', [
          { path: 'payloads', rule: 'an array of payloads' },
        ]);
      }
      const payloads = (body.payloads ?? []).map(fromJson);
      const out = op === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
      return c.json({ payloads: out.map(toJson) });
    });
  }
  return app;
}
