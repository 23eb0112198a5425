/**
 * `npm start`: the whole stack on one machine with embedded defaults.
 *   Temporal dev server (SQLite in .data/, UI) → PostgreSQL (DATABASE_URL, the local server, or an
 *   embedded one) → migrations → worker → API. Ctrl-C stops them in reverse order, letting each
 *   finish what it is doing, so nothing is lost and the next start finds the same state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from '../config/settings.js';
import { generateCodecKey, parseCodecKeys } from '../temporal/codec.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { migrate } from './migrate.js';
import { redact, resolvePostgres, type ResolvedPostgres } from './postgres.js';
import { SetupError, ensureTemporalCli } from './temporal-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[start] ${line}`);

const schema = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: env.port(3000),
  TEMPORAL_PORT: env.port(7233),
  TEMPORAL_UI_PORT: env.port(8233),
  TEMPORAL_NAMESPACE: env.temporalNamespace,
  TEMPORAL_TASK_QUEUE: env.taskQueue,
  DATABASE_URL: env.databaseUrl.optional(),
  EMBEDDED_POSTGRES: z.enum(['0', '1']).default('0'),
  HUANJIE_DATA_DIR: z.string().default(join(root, '.data')),
  CODEC_KEYS: z.string().optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

/** Secrets for local use, made on the first start and kept in .data/ (never committed). */
function localSecrets(dataDir: string, config: z.infer<typeof schema>) {
  const file = join(dataDir, 'secrets.json');
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { codecKeys: string; jwtSecret: string })
    : undefined;
  const secrets = {
    codecKeys: config.CODEC_KEYS ?? saved?.codecKeys ?? generateCodecKey('local1'),
    jwtSecret: config.JWT_SECRET ?? saved?.jwtSecret ?? randomBytes(32).toString('base64url'),
  };
  parseCodecKeys(secrets.codecKeys);
  if (!saved) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    log(`generated a local codec key and JWT secret in ${file}`);
  }
  return secrets;
}

function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(new SetupError(`port ${port} (${what}) is taken; stop what uses it or set ${variable} to a free port`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function run(name: string, script: string, childEnv: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (stream: NodeJS.WritableStream) => (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim()) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout.on('data', prefix(process.stdout));
  child.stderr.on('data', prefix(process.stderr));
  return child;
}

function stopChild(child: ChildProcess | undefined, graceMs = 20_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/** Resolves when the child prints a line matching `pattern` (the worker says so once its bundle is built). */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      if (pattern.test(d.toString())) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
  });
}

async function waitReady(url: string, children: ChildProcess[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new SetupError('a process of the stack exited during start; see its lines above');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new SetupError(`the API did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

async function main() {
  const config = loadConfig(schema);
  const dataDir = config.HUANJIE_DATA_DIR;
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);

  await assertPortFree(config.API_PORT, 'API', 'API_PORT');
  await assertPortFree(config.TEMPORAL_PORT, 'Temporal', 'TEMPORAL_PORT');
  await assertPortFree(config.TEMPORAL_UI_PORT, 'Temporal UI', 'TEMPORAL_UI_PORT');
  const secrets = localSecrets(dataDir, config);

  let temporal: DevServer | undefined;
  let postgres: ResolvedPostgres | undefined;
  let worker: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const started = Boolean(temporal ?? postgres);
    if (started) log('stopping: API, then worker (finishing its tasks), then Temporal, then Postgres …');
    await stopChild(api);
    await stopChild(worker, 60_000);
    await temporal?.stop();
    await postgres?.stop();
    if (started) log('stopped; state is kept in .data/ and PostgreSQL for the next start');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const cli = await ensureTemporalCli(log);
    log(`Temporal dev server (${cli}) on 127.0.0.1:${config.TEMPORAL_PORT}, data in ${join(dataDir, 'temporal.db')}`);
    temporal = await startDevServer({
      cli,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      dbFile: join(dataDir, 'temporal.db'),
      log,
      // The UI decodes payloads through the API's codec endpoint.
      codecEndpoint: `http://${config.API_HOST}:${config.API_PORT}/codec`,
    });
    postgres = await resolvePostgres({
      ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
      dataDir,
      database: 'huanjie',
      forceEmbedded: config.EMBEDDED_POSTGRES === '1',
      log,
    });
    log(`PostgreSQL (${postgres.kind}): ${redact(postgres.url)}`);
    const ran = await migrate(postgres.url, 'up');
    log(`migrations: ${ran.length === 0 ? 'up to date' : `${ran.length} applied`}`);

    const childEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
      DATABASE_URL: postgres.url,
      CODEC_KEYS: secrets.codecKeys,
      JWT_SECRET: secrets.jwtSecret,
      API_HOST: config.API_HOST,
      API_PORT: String(config.API_PORT),
      // Only the local UI, on loopback, may decode without a token.
      CODEC_TRUSTED_ORIGINS:
        process.env.CODEC_TRUSTED_ORIGINS ??
        `http://127.0.0.1:${config.TEMPORAL_UI_PORT},http://localhost:${config.TEMPORAL_UI_PORT}`,
      // Local mode: the console's sign-in page may issue a token for any role (loopback only).
      CONSOLE_LOCAL_SIGNIN: process.env.CONSOLE_LOCAL_SIGNIN ?? '1',
      // The README's first cycle and the demo run on a compressed calendar.
      COMPRESSED_CALENDARS: process.env.COMPRESSED_CALENDARS ?? '1',
      CONSOLE_TEMPORAL_UI_URL: process.env.CONSOLE_TEMPORAL_UI_URL ?? temporal.uiUrl,
    };
    worker = run('worker', 'worker/main.ts', childEnv);
    const workerPolling = waitForLine(worker, /polling task queue/);
    api = run('api', 'api/server.ts', childEnv);
    for (const [name, child] of [
      ['worker', worker],
      ['api', api],
    ] as const) {
      child.on('exit', (code) => {
        if (!stopping) {
          console.error(`[start] the ${name} exited (code ${code}); stopping the stack`);
          void shutdown(1);
        }
      });
    }
    const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
    await waitReady(`${apiUrl}/readyz`, [worker, api]);
    await workerPolling;
    console.log(
      [
        '',
        'Huanjie is up.',
        `  API           ${apiUrl}   (ready: /readyz, OpenAPI: ${apiUrl}/openapi.json, docs: ${apiUrl}/docs)`,
        `  Temporal      ${temporal.address}   namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
        `  Console       ${apiUrl}/console   (local sign-in: pick a role and a scope)`,
        `  Temporal UI   ${temporal.uiUrl}`,
        `  PostgreSQL    ${redact(postgres.url)} (${postgres.kind})`,
        `  A token       npm run token -- --role organizer --scope 440000`,
        `  Sample tree   npm run seed`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (e) {
    console.error(
      e instanceof SetupError || e instanceof ConfigError ? e.message : `start failed: ${(e as Error).stack ?? e}`,
    );
    await shutdown(1);
  }
}

main().catch((e: unknown) => {
  console.error(
    e instanceof SetupError || e instanceof ConfigError ? e.message : `start failed: ${(e as Error).stack ?? e}`,
  );
  process.exit(1);
});
