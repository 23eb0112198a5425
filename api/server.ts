// The API process: parse config once, connect, listen; SIGINT/SIGTERM close the server cleanly.
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { createApiPools } from '../activities/db.js';
import { backendSettings, env, exitOnConfigError, loadConfig } from '../config/settings.js';
import { AesGcmCodec, codecKeysSchema } from '../temporal/codec.js';
import { temporalTokenSource } from '../temporal/auth.js';
import { connectClient } from '../temporal/connection.js';
import { setupTracing } from '../temporal/tracing.js';
import { createApp } from './app.js';
import { httpServerOptions } from './http-server.js';

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

const config = (() => {
  try {
    return loadConfig(
      z
        .object({
          API_HOST: z.string().default('127.0.0.1'),
          API_PORT: env.port(3000),
          ...backendSettings,
          CODEC_KEYS: codecKeysSchema,
          JWT_SECRET: z
            .string({ error: 'is required (at least 32 characters)' })
            .min(32, 'must be at least 32 characters'),
          JWT_ISSUER: z.string().default('huanjie'),
          JWT_AUDIENCE: z.string().default('huanjie-api'),
          BODY_LIMIT_BYTES: z.coerce
            .number()
            .int()
            .min(1024)
            .default(1024 * 1024),
          RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
          RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(120),
          DATABASE_POOL_MAX: z.coerce
            .number()
            .int()
            .min(1)
            .default(10)
            .describe("connections for inputs (the worker's pools are its own)"),
          DATABASE_READ_POOL_MAX: z.coerce
            .number()
            .int()
            .min(1)
            .default(10)
            .describe('connections for reads, so a burst of inputs never queues a read'),
          TEMPORAL_DEADLINE_SECONDS: z.coerce
            .number()
            .int()
            .min(1)
            .default(30)
            .describe("how long one request's Temporal calls may take in all before 503/504"),
          CODEC_TRUSTED_ORIGINS: z
            .string()
            .default('')
            .describe('comma-separated UI origins allowed to decode without a token (local dev only)'),
          CODEC_CORS_ORIGINS: z
            .string()
            .default('')
            .describe('comma-separated UI origins whose browsers may decode with a bearer token'),
          CONSOLE_LOCAL_SIGNIN: z
            .enum(['0', '1'])
            .default('0')
            .describe('1: the console may issue a token for any role and scope (local mode, npm start only)'),
          CONSOLE_TEMPORAL_UI_URL: z.string().default(''),
          COMPRESSED_CALENDARS: z
            .enum(['0', '1'])
            .default('0')
            .describe('1: cycles may run on a compressed calendar (demos and tests; npm start sets 1)'),
        })
        .refine((c) => c.CONSOLE_LOCAL_SIGNIN === '0' || LOOPBACK_HOSTS.includes(c.API_HOST), {
          path: ['CONSOLE_LOCAL_SIGNIN'],
          // Whoever reaches the console could sign in as anybody: only this machine may.
          message: `issues tokens to anyone who asks, so it is allowed only when API_HOST is loopback (${LOOPBACK_HOSTS.join(', ')})`,
        })
        .refine((c) => c.CODEC_TRUSTED_ORIGINS.trim() === '' || LOOPBACK_HOSTS.includes(c.API_HOST), {
          path: ['CODEC_TRUSTED_ORIGINS'],
          // An Origin header is only a claim: without a token, only this machine may be trusted.
          message: `lets callers decode without a token, so it is allowed only when API_HOST is loopback (${LOOPBACK_HOSTS.join(', ')})`,
        }),
    );
  } catch (e) {
    return exitOnConfigError(e);
  }
})();

const codecKeys = config.CODEC_KEYS;
const tracing = (() => {
  try {
    return setupTracing('huanjie-api');
  } catch (e) {
    console.error((e as Error).message);
    return process.exit(78);
  }
})();

const { pool, readPool, warm } = createApiPools(config.DATABASE_URL, {
  role: config.DATABASE_ROLE,
  inputs: config.DATABASE_POOL_MAX,
  reads: config.DATABASE_READ_POOL_MAX,
});
// Every connection is opened now and kept: one opened in the middle of a burst cost the first reads
// seconds (bench measurement 7). A database not reachable yet is /readyz's to report, not a reason
// not to start.
await warm().catch((e: Error) =>
  console.error(`api: PostgreSQL not reachable yet (${e.message}); connections will be opened on demand`),
);
const auth = await temporalTokenSource(config, 'huanjie-api').catch((e: Error) => {
  console.error(e.message);
  process.exit(78);
});
const temporal = await connectClient({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  codecKeys,
  auth,
  tracing: tracing !== undefined,
}).catch((e: Error) => {
  console.error(`api: cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${e.message}`);
  process.exit(69);
});
const app = createApp({
  temporal,
  pool,
  readPool,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  rateLimit: { perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST },
  temporalDeadlineMs: config.TEMPORAL_DEADLINE_SECONDS * 1000,
  compressedCalendars: config.COMPRESSED_CALENDARS === '1',
  codecKeys,
  codec: new AesGcmCodec(codecKeys),
  codecTrustedOrigins: config.CODEC_TRUSTED_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean),
  codecCorsOrigins: config.CODEC_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean),
  auth: { secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  ...(tracing ? { tracer: tracing.tracer } : {}),
  console: {
    localSignIn: config.CONSOLE_LOCAL_SIGNIN === '1',
    namespace: config.TEMPORAL_NAMESPACE,
    ...(config.CONSOLE_TEMPORAL_UI_URL ? { temporalUiUrl: config.CONSOLE_TEMPORAL_UI_URL } : {}),
  },
});

const server = serve(
  { fetch: app.fetch, hostname: config.API_HOST, port: config.API_PORT, serverOptions: httpServerOptions },
  (info) => {
    console.log(`api: listening on http://${config.API_HOST}:${info.port}`);
  },
);
server.on('error', (e: NodeJS.ErrnoException) => {
  console.error(
    e.code === 'EADDRINUSE'
      ? `api: port ${config.API_PORT} is taken; set API_PORT to a free port`
      : `api: ${e.message}`,
  );
  process.exit(70);
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(async () => {
    await temporal.connection.close();
    await Promise.all([pool.end(), readPool.end()]);
    console.log('api: stopped');
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
