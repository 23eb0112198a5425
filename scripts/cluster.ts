/**
 * `npm run cluster`: the production shape on one machine.
 *   PostgreSQL (Temporal persistence + visibility, created and migrated with Temporal's schema tool;
 *   Huanjie's own database with its migrations) → Temporal 1.29.1 as separate service processes
 *   (frontend, internal-frontend, history, matching, worker; 8 history shards; JWT authorization) →
 *   namespace and search attributes → the UI server (read-only) → two Huanjie workers → two API
 *   replicas. The server and UI read deploy/temporal/huanjie.yaml and deploy/ui/huanjie.yaml, the
 *   same files docker-compose.yml mounts. Ctrl-C stops everything in reverse order.
 *
 * The JWKS the frontend checks tokens against is served by this process (127.0.0.1, base+20); the
 * signing key is TEMPORAL_AUTH_KEY or one generated into the data folder's secrets.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import type { Server } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateTemporalAuthKey, parseTemporalAuthKey, serveJwks, type TemporalSigningKey } from '../temporal/auth.js';
import { generateCodecKey, parseCodecKeys } from '../temporal/codec.js';
import { migrate } from './migrate.js';
import { ensureDatabase, redact, resolvePostgres, withDatabase, type ResolvedPostgres } from './postgres.js';
import { SetupError } from './temporal-cli.js';
import { adminToken as adminTokenFor, setupNamespace } from './temporal-setup.js';
import { ensureSchemaTool, ensureTemporalServer, ensureUiServer, serverModuleDir } from './temporal-server.js';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The Temporal services, each its own process, in the order they start (and the reverse they stop). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'internal-frontend', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * The PostgreSQL connections each process of the cluster may hold. All of them share one server
 * (CI's and a developer's have PostgreSQL's default max_connections of 100), and the APIs keep theirs
 * open from the start: past the server's limit every new connection, anyone's, fails with "too many
 * clients". History does the most persistence work; the API's pools are its inputs and its reads.
 */
export const CONNECTIONS = {
  temporal: {
    history: { store: 12, visibility: 4 },
    matching: { store: 6, visibility: 2 },
    'internal-frontend': { store: 3, visibility: 2 },
    frontend: { store: 4, visibility: 4 },
    worker: { store: 3, visibility: 2 },
  } satisfies Record<TemporalService, { store: number; visibility: number }>,
  /** Each of the two APIs (DATABASE_POOL_MAX, DATABASE_READ_POOL_MAX). */
  api: { inputs: 5, reads: 5 },
  /** Each of the two workers: its activities' pool (10) and its projection sink's (4), fixed in worker/main.ts. */
  worker: 14,
  /** Left for the cluster's own setup, a test's pool and an operator's psql. */
  spare: 8,
};

/** The most connections the cluster may hold at once. */
export function connectionBudget(): number {
  const temporal = Object.values(CONNECTIONS.temporal).reduce((n, s) => n + s.store + s.visibility, 0);
  return temporal + 2 * (CONNECTIONS.api.inputs + CONNECTIONS.api.reads) + 2 * CONNECTIONS.worker + CONNECTIONS.spare;
}

/** Refuses to start on a server that could not hold the cluster's connections, saying by how many. */
export async function checkConnectionBudget(
  databaseUrl: string,
  log: (l: string) => void,
  budget = connectionBudget(),
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ max: string }>(`SELECT current_setting('max_connections') AS max`);
    const max = Number(rows[0]!.max);
    if (budget > max)
      throw new SetupError(
        `PostgreSQL allows ${max} connections (max_connections) and the cluster may hold ${budget}: raise max_connections to at least ${budget}, or give the cluster a server of its own`,
      );
    log(`PostgreSQL: the cluster may hold ${budget} of the server's ${max} connections`);
  } finally {
    await client.end();
  }
}

export interface ClusterOptions {
  /** Every port is base + a fixed offset (README, Deployment). */
  portBase: number;
  dataDir: string;
  /** Database names: <prefix> (Huanjie), <prefix>_temporal, <prefix>_temporal_visibility. */
  databasePrefix: string;
  databaseUrl?: string | undefined;
  namespace: string;
  taskQueue: string;
  historyShards: number;
  /** Worker env extras (e.g. a small cache); applied to both workers. */
  workerEnv?: NodeJS.ProcessEnv;
  /** API env extras (e.g. COMPRESSED_CALENDARS=1 for a test's cycles); applied to both APIs. */
  apiEnv?: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Aborting it while the cluster starts stops what has started. */
  signal?: AbortSignal;
}

export function clusterPorts(base: number) {
  return {
    frontend: base,
    frontendHttp: base + 1,
    frontendMembership: base + 2,
    history: base + 3,
    historyMembership: base + 4,
    matching: base + 5,
    matchingMembership: base + 6,
    worker: base + 7,
    workerMembership: base + 8,
    internalFrontend: base + 9,
    internalFrontendMembership: base + 10,
    internalFrontendHttp: base + 11,
    metrics: {
      frontend: base + 12,
      'internal-frontend': base + 13,
      history: base + 14,
      matching: base + 15,
      worker: base + 16,
    } satisfies Record<TemporalService, number>,
    jwks: base + 20,
    ui: base + 21,
    apis: [base + 22, base + 23] as const,
    workerMetrics: [base + 24, base + 25] as const,
  };
}

interface Secrets {
  codecKeys: string;
  jwtSecret: string;
  temporalAuthKey: string;
}

/** The local secrets `npm start` keeps in the data folder, plus the Temporal signing key. */
async function localSecrets(dataDir: string, log: (l: string) => void): Promise<Secrets> {
  const file = join(dataDir, 'secrets.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets: Secrets = {
    codecKeys: process.env.CODEC_KEYS ?? saved.codecKeys ?? generateCodecKey('local1'),
    jwtSecret: process.env.JWT_SECRET ?? saved.jwtSecret ?? randomBytes(32).toString('base64url'),
    temporalAuthKey: process.env.TEMPORAL_AUTH_KEY ?? saved.temporalAuthKey ?? (await generateTemporalAuthKey()),
  };
  parseCodecKeys(secrets.codecKeys);
  if (!saved.codecKeys || !saved.jwtSecret || !saved.temporalAuthKey) {
    writeFileSync(file, JSON.stringify({ ...saved, ...secrets }, null, 2), { mode: 0o600 });
    log(`local secrets (codec key, API JWT secret, Temporal signing key) kept in ${file}`);
  }
  return secrets;
}

function portOpen(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', (e) => reject(e));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Stops it: SIGINT, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** Kills it at once (a crash), without waiting for anything. */
  kill(): Promise<void>;
  /** Its last lines of output, for error messages. */
  tail(): string;
}

function manage(name: string, child: ChildProcess): Omit<ManagedProcess, 'tail'> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    async stop(graceMs = 20_000) {
      if (!alive()) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGINT');
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function spawnLogged(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: WriteStream,
  echo?: (line: string) => void,
): ManagedProcess & { saw(pattern: RegExp): Promise<void> } {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let recent = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    recent = (recent + d.toString()).slice(-4000);
    for (const w of [...waiters])
      if (w.pattern.test(recent)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    logFile.write(d);
    if (echo) for (const line of d.toString().split('\n')) if (line.trim()) echo(`[${name}] ${line}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return {
    ...manage(name, child),
    tail: () => recent.trim().split('\n').slice(-12).join('\n'),
    saw: (pattern) =>
      pattern.test(recent) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
  };
}

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline)
        throw new SetupError(`${what} did not succeed within ${timeoutMs / 1000} s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new SetupError(
              `${command} ${args.filter((a) => !a.startsWith('--pw')).join(' ')} failed (exit ${code}): ${out.trim().split('\n').slice(-4).join(' | ')}`,
            ),
          ),
    );
  });
}

/** Creates (if absent) and migrates one Temporal database with the server's own schema tool. */
async function migrateTemporalDatabase(tool: string, url: string, schemaDir: string): Promise<void> {
  await ensureDatabase(url);
  const u = new URL(url);
  const db = decodeURIComponent(u.pathname.slice(1));
  const common = [
    '--plugin',
    'postgres12',
    '--ep',
    u.hostname,
    '-p',
    u.port || '5432',
    '-u',
    decodeURIComponent(u.username || 'postgres'),
    ...(u.password ? ['--pw', decodeURIComponent(u.password)] : []),
    '--db',
    db,
  ];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('public.schema_version')::text AS t`);
  await client.end();
  if (!rows[0]?.t) await run(tool, [...common, 'setup-schema', '-v', '0.0']);
  await run(tool, [...common, 'update-schema', '-d', schemaDir]);
}

export interface Cluster {
  frontend: string;
  uiUrl: string;
  apiUrls: [string, string];
  workerMetricsUrls: [string, string];
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  temporalDatabaseUrls: [string, string];
  codecKeys: string;
  jwtSecret: string;
  signingKey: TemporalSigningKey;
  logDir: string;
  services: Map<TemporalService, ManagedProcess>;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** A token for the server's admin APIs (namespace and search attributes), for setup and tests. */
  adminToken(): Promise<string>;
  startService(name: TemporalService): ManagedProcess;
  /** Starts worker 1 or 2 (again) and resolves once it polls. */
  startWorker(index: 0 | 1): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const log = o.log;
  const ports = clusterPorts(o.portBase);
  mkdirSync(o.dataDir, { recursive: true });
  const logDir = join(o.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const taken: number[] = [];
  for (const p of [
    ports.frontend,
    ports.frontendHttp,
    ports.frontendMembership,
    ports.history,
    ports.historyMembership,
    ports.matching,
    ports.matchingMembership,
    ports.worker,
    ports.workerMembership,
    ports.internalFrontend,
    ports.internalFrontendMembership,
    ports.internalFrontendHttp,
    ...Object.values(ports.metrics),
    ports.jwks,
    ports.ui,
    ...ports.apis,
    ...ports.workerMetrics,
  ])
    if (!(await portFree(p))) taken.push(p);
  if (taken.length)
    throw new SetupError(
      `ports ${taken.join(', ')} are taken; stop what uses them or set CLUSTER_PORT_BASE (ports base … base+25)`,
    );

  const [server, sqlTool, uiServer] = [
    await ensureTemporalServer(log),
    await ensureSchemaTool(log),
    await ensureUiServer(log),
  ];
  const secrets = await localSecrets(o.dataDir, log);
  const signingKey = await parseTemporalAuthKey(secrets.temporalAuthKey, process.env.TEMPORAL_AUTH_KID ?? 'huanjie');

  const stack: (() => Promise<void>)[] = [];
  const services = new Map<TemporalService, ManagedProcess>();
  const workers: ManagedProcess[] = [];
  const apis: ManagedProcess[] = [];
  let postgres: ResolvedPostgres | undefined;
  let jwks: Server | undefined;
  let ui: ManagedProcess | undefined;
  const logs: WriteStream[] = [];
  const logFile = (name: string) => {
    const s = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    logs.push(s);
    return s;
  };

  let stopping = false;
  const stop = async () => {
    stopping = true;
    // Reverse order: stop taking requests, let workers finish their tasks, then the server, then the rest.
    await Promise.all(apis.map((a) => a.stop()));
    await Promise.all(workers.map((w) => w.stop(60_000)));
    await ui?.stop();
    for (const name of [...TEMPORAL_SERVICES].reverse()) await services.get(name)?.stop();
    await new Promise<void>((r) => (jwks ? jwks.close(() => r()) : r()));
    await postgres?.stop();
    for (const s of logs) s.end();
    for (const f of stack) await f();
  };

  const aborted = () => {
    if (o.signal?.aborted) throw new SetupError('stopped while starting');
  };
  o.signal?.addEventListener('abort', () => void stop(), { once: true });
  try {
    postgres = await resolvePostgres({
      ...(o.databaseUrl ? { databaseUrl: withDatabase(o.databaseUrl, o.databasePrefix) } : {}),
      dataDir: o.dataDir,
      database: o.databasePrefix,
      log,
    });
    const databaseUrl = postgres.url;
    await checkConnectionBudget(databaseUrl, log);
    const temporalDb = withDatabase(databaseUrl, `${o.databasePrefix}_temporal`);
    const visibilityDb = withDatabase(databaseUrl, `${o.databasePrefix}_temporal_visibility`);
    const schemaRoot = join(serverModuleDir(), 'schema', 'postgresql', 'v12');
    log(`PostgreSQL (${postgres.kind}): Temporal schemas from ${schemaRoot}`);
    await migrateTemporalDatabase(sqlTool, temporalDb, join(schemaRoot, 'temporal', 'versioned'));
    await migrateTemporalDatabase(sqlTool, visibilityDb, join(schemaRoot, 'visibility', 'versioned'));
    const ran = await migrate(databaseUrl, 'up');
    log(`Huanjie migrations: ${ran.length === 0 ? 'up to date' : `${ran.length} applied`}`);

    aborted();
    jwks = await serveJwks([signingKey], ports.jwks);
    const jwksUrl = `http://127.0.0.1:${ports.jwks}/.well-known/jwks.json`;

    const db = new URL(databaseUrl);
    const serverEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_LOG_LEVEL: process.env.TEMPORAL_LOG_LEVEL ?? 'warn',
      TEMPORAL_HISTORY_SHARDS: String(o.historyShards),
      TEMPORAL_DB_HOST: db.hostname,
      TEMPORAL_DB_PORT: db.port || '5432',
      TEMPORAL_DB_USER: decodeURIComponent(db.username || 'postgres'),
      TEMPORAL_DB_PASSWORD: decodeURIComponent(db.password),
      TEMPORAL_DB_NAME: `${o.databasePrefix}_temporal`,
      TEMPORAL_VISIBILITY_DB_NAME: `${o.databasePrefix}_temporal_visibility`,
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      TEMPORAL_BIND_ON_IP: '127.0.0.1',
      TEMPORAL_JWKS_URL: jwksUrl,
      TEMPORAL_FRONTEND_HOST: '127.0.0.1',
      TEMPORAL_FRONTEND_PORT: String(ports.frontend),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      TEMPORAL_INTERNAL_FRONTEND_PORT: String(ports.internalFrontend),
      TEMPORAL_INTERNAL_FRONTEND_HTTP_PORT: String(ports.internalFrontendHttp),
      TEMPORAL_INTERNAL_FRONTEND_MEMBERSHIP_PORT: String(ports.internalFrontendMembership),
      TEMPORAL_HISTORY_PORT: String(ports.history),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      TEMPORAL_MATCHING_PORT: String(ports.matching),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      TEMPORAL_WORKER_PORT: String(ports.worker),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      TEMPORAL_DYNAMIC_CONFIG: join(root, 'deploy', 'temporal', 'dynamicconfig.yaml'),
    };
    const restarts = new Map<TemporalService, number>();
    const startService = (name: TemporalService): ManagedProcess => {
      const p = spawnLogged(
        `temporal-${name}`,
        server,
        ['--root', root, '--config', join('deploy', 'temporal'), '--env', 'huanjie', 'start', '--service', name],
        {
          ...serverEnv,
          TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.metrics[name]}`,
          TEMPORAL_DB_MAX_CONNS: String(CONNECTIONS.temporal[name].store),
          TEMPORAL_VISIBILITY_DB_MAX_CONNS: String(CONNECTIONS.temporal[name].visibility),
        },
        logFile(`temporal-${name}`),
      );
      services.set(name, p);
      // A supervisor's restart policy: a service that fails on its own (an exit code, not a signal
      // such as a test's kill) is started again, a few times. Services racing to initialise a fresh
      // database ("Failed to apply cluster metadata") need exactly this.
      p.child.once('exit', (code, signal) => {
        if (stopping || signal !== null || code === 0 || services.get(name) !== p) return;
        const tries = (restarts.get(name) ?? 0) + 1;
        restarts.set(name, tries);
        if (tries > 5) return log(`temporal ${name} keeps exiting (code ${code}):\n${p.tail()}`);
        log(`temporal ${name} exited (code ${code}); starting it again (${tries}/5)`);
        setTimeout(() => {
          if (!stopping && services.get(name) === p) startService(name);
        }, 1000);
      });
      return p;
    };
    // History first: it initialises the cluster's metadata in a fresh database; the others then find it.
    startService('history');
    await retry('temporal history', () => portOpen(ports.history), 60_000);
    for (const name of TEMPORAL_SERVICES) if (name !== 'history') startService(name);
    const frontend = `127.0.0.1:${ports.frontend}`;
    log(`Temporal ${TEMPORAL_SERVICES.join(', ')} starting (${o.historyShards} shards), logs in ${logDir}`);

    const adminToken = () => adminTokenFor(signingKey);
    await setupNamespace({
      address: frontend,
      namespace: o.namespace,
      key: signingKey,
      log,
      check: () => {
        for (const [name, s] of services)
          if (s.child.exitCode !== null && (restarts.get(name) ?? 0) > 5)
            throw new SetupError(`temporal ${name} keeps exiting (code ${s.child.exitCode}):\n${s.tail()}`);
      },
    });

    aborted();
    const apiUrls = ports.apis.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    const uiUrl = `http://127.0.0.1:${ports.ui}`;
    ui = spawnLogged(
      'temporal-ui',
      uiServer,
      ['--root', root, '--config', join('deploy', 'ui'), '--env', 'huanjie', 'start'],
      {
        ...process.env,
        TEMPORAL_ADDRESS: frontend,
        TEMPORAL_UI_HOST: '127.0.0.1',
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_UI_PUBLIC_URL: uiUrl,
        TEMPORAL_UI_COOKIE_INSECURE: 'true',
        TEMPORAL_NAMESPACE: o.namespace,
        TEMPORAL_CODEC_ENDPOINT: `${apiUrls[0]}/codec`,
      },
      logFile('temporal-ui'),
    );

    const huanjieEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: frontend,
      TEMPORAL_NAMESPACE: o.namespace,
      TEMPORAL_TASK_QUEUE: o.taskQueue,
      TEMPORAL_AUTH_KEY: secrets.temporalAuthKey,
      TEMPORAL_AUTH_KID: signingKey.kid,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: String(CONNECTIONS.api.inputs),
      DATABASE_READ_POOL_MAX: String(CONNECTIONS.api.reads),
      CODEC_KEYS: secrets.codecKeys,
      JWT_SECRET: secrets.jwtSecret,
      // The UI's origin may call the codec, but only with a signed-in user's token.
      CODEC_CORS_ORIGINS: uiUrl,
      CODEC_TRUSTED_ORIGINS: '',
    };
    const node = (name: string, script: string, env: NodeJS.ProcessEnv) =>
      spawnLogged(name, process.execPath, ['--import', 'tsx', script], env, logFile(name), (l) => log(l));
    const startWorker = async (index: 0 | 1, attempt = 1): Promise<ManagedProcess> => {
      const w = node(`worker-${index + 1}`, 'worker/main.ts', {
        ...huanjieEnv,
        ...o.workerEnv,
        WORKER_METRICS_PORT: String(ports.workerMetrics[index]),
      });
      workers[index] = w;
      const polling = await Promise.race([
        w.saw(/polling task queue/).then(() => true),
        new Promise<false>((resolve) => w.child.once('exit', () => resolve(false))),
      ]);
      if (polling) return w;
      // A fresh namespace can take a moment to reach every frontend: try again, then give up with the reason.
      if (attempt >= 3 || o.signal?.aborted)
        throw new SetupError(`worker-${index + 1} exited (code ${w.child.exitCode}):\n${w.tail()}`);
      log(`worker-${index + 1} exited during start; starting it again (${attempt}/3)`);
      await new Promise((r) => setTimeout(r, 2000));
      return startWorker(index, attempt + 1);
    };
    const workersPolling = Promise.all([startWorker(0), startWorker(1)]);
    ports.apis.forEach((port, i) =>
      apis.push(
        node(`api-${'AB'[i]}`, 'api/server.ts', {
          ...huanjieEnv,
          ...o.apiEnv,
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
        }),
      ),
    );
    for (const url of apiUrls)
      await retry(
        `the API at ${url}`,
        async () => {
          const dead = [...apis, ...workers].find((p) => p.child.exitCode !== null);
          if (dead)
            throw new SetupError(`${dead.name} exited (code ${dead.child.exitCode}); see ${logDir}/${dead.name}.log`);
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
          if (!res.ok) throw new Error(`readyz answered ${res.status}`);
        },
        180_000,
      );
    await workersPolling;
    await retry(
      'the UI server',
      async () => {
        const res = await fetch(`${uiUrl}/api/v1/settings`, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
      },
      60_000,
    );

    return {
      frontend,
      uiUrl,
      apiUrls,
      workerMetricsUrls: ports.workerMetrics.map((p) => `http://127.0.0.1:${p}/metrics`) as [string, string],
      namespace: o.namespace,
      taskQueue: o.taskQueue,
      databaseUrl,
      temporalDatabaseUrls: [temporalDb, visibilityDb],
      codecKeys: secrets.codecKeys,
      jwtSecret: secrets.jwtSecret,
      signingKey,
      logDir,
      services,
      workers,
      apis,
      adminToken,
      startService,
      startWorker,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = (line: string) => console.log(`[cluster] ${line}`);
  const base = Number(process.env.CLUSTER_PORT_BASE ?? 7400);
  if (!Number.isInteger(base) || base < 1024 || base > 65_500) {
    console.error('configuration: CLUSTER_PORT_BASE must be a port number between 1024 and 65500');
    process.exit(78);
  }
  const shards = Number(process.env.TEMPORAL_HISTORY_SHARDS ?? 8);
  let cluster: Cluster | undefined;
  let stopping = false;
  const starting = new AbortController();
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping: APIs, workers (finishing their tasks), UI, Temporal services, then the JWKS …');
    if (cluster) await cluster.stop();
    else starting.abort();
    log('stopped; state is kept in PostgreSQL for the next start');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  startCluster({
    portBase: base,
    dataDir: process.env.HUANJIE_DATA_DIR ?? join(root, '.data'),
    databasePrefix: process.env.CLUSTER_DATABASE ?? 'huanjie_cluster',
    databaseUrl: process.env.DATABASE_URL,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'huanjie',
    historyShards: shards,
    log,
    signal: starting.signal,
  }).then(
    (c) => {
      cluster = c;
      const p = clusterPorts(base);
      for (const proc of [...c.services.values(), ...c.workers, ...c.apis])
        proc.child.on('exit', (code) => {
          if (!stopping) log(`${proc.name} exited (code ${code}); see ${c.logDir}/${proc.name}.log`);
        });
      console.log(
        [
          '',
          'Huanjie cluster is up.',
          `  API replica A    ${c.apiUrls[0]}   (/readyz, /docs, /metrics)`,
          `  API replica B    ${c.apiUrls[1]}`,
          `  workers          2, task queue ${c.taskQueue}; metrics ${c.workerMetricsUrls.join(', ')}`,
          `  Temporal         frontend ${c.frontend} (JWT required), internal-frontend 127.0.0.1:${p.internalFrontend},`,
          `                   history :${p.history}, matching :${p.matching}, worker :${p.worker}; ${shards} shards; namespace ${c.namespace}`,
          `  Temporal metrics ${Object.entries(p.metrics)
            .map(([s, port]) => `${s} :${port}`)
            .join(', ')} (/metrics)`,
          `  JWKS             http://127.0.0.1:${p.jwks}/.well-known/jwks.json`,
          `  Temporal UI      ${c.uiUrl}   (read-only; shows data once OIDC sign-in is configured, README)`,
          `  PostgreSQL       ${redact(c.databaseUrl)}, Temporal in ${new URL(c.temporalDatabaseUrls[0]).pathname.slice(1)} + ${new URL(c.temporalDatabaseUrls[1]).pathname.slice(1)}`,
          `  logs             ${c.logDir}`,
          `  a token          npm run token -- --role organizer --scope 440000`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
    },
    (e: Error) => {
      if (stopping) return;
      console.error(e instanceof SetupError ? e.message : `cluster failed: ${e.stack ?? e}`);
      process.exit(1);
    },
  );
}
