/**
 * Each process parses its environment once, with zod, through this helper, and stops with one line
 * naming the variable and the rule when something is wrong.
 */
import { z } from 'zod';
import { temporalAuthSettings } from '../temporal/auth.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const env = {
  temporalAddress: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  temporalNamespace: z.string().min(1).default('default'),
  taskQueue: z.string().min(1).default('huanjie'),
  databaseUrl: z.string({ error: 'is required (postgres://user@host:port/db)' }).refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '' && u.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'must be a URL like postgres://user@host:5432/database'),
  port: (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback),
  /** The least-privilege role every connection acts as, whoever the URL logs in as (created by the migrations). */
  databaseRole: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a role name (lowercase letters, digits, _)')
    .default('huanjie_app'),
};

/** What the API and the worker both read: where Temporal and PostgreSQL are, and as whom to act. */
export const backendSettings = {
  TEMPORAL_ADDRESS: env.temporalAddress,
  TEMPORAL_NAMESPACE: env.temporalNamespace,
  TEMPORAL_TASK_QUEUE: env.taskQueue,
  DATABASE_URL: env.databaseUrl,
  DATABASE_ROLE: env.databaseRole,
  ...temporalAuthSettings,
};

export function loadConfig<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined> = process.env,
): z.infer<T> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  throw new ConfigError(`configuration: ${first.path.join('.')} ${first.message}`);
}

/** For entry points: print the one line and exit, no stack trace. */
export function exitOnConfigError(e: unknown): never {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  throw e;
}
