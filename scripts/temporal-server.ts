/**
 * Finds (or builds once, like the CLI in temporal-cli.ts) the three binaries of the production shape:
 * the Temporal server v1.29.1, its SQL schema tool, and the Temporal UI server v2.42.1 — built from
 * the Go module proxy with the machine's Go into the cache outside the repo. Both servers are called
 * `server` by `go install`, so each builds into its own folder and is renamed there.
 * Run alone (`npm run temporal:server`) it builds all three and prints their paths.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { SetupError } from './temporal-cli.js';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const UI_SERVER_VERSION = 'v2.42.1';

interface GoBinary {
  what: string;
  module: string;
  version: string;
  /** The name `go install` gives it. */
  built: string;
  /** The name it is kept under in the cache. */
  binary: string;
  folder: string;
  envVar: string;
}

const SERVER: GoBinary = {
  what: 'Temporal server',
  module: 'go.temporal.io/server/cmd/server',
  version: TEMPORAL_SERVER_VERSION,
  built: 'server',
  binary: 'temporal-server',
  folder: 'temporal-server',
  envVar: 'TEMPORAL_SERVER_PATH',
};
const SQL_TOOL: GoBinary = {
  what: 'Temporal SQL schema tool',
  module: 'go.temporal.io/server/cmd/tools/sql',
  version: TEMPORAL_SERVER_VERSION,
  built: 'sql',
  binary: 'temporal-sql-tool',
  folder: 'temporal-sql-tool',
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
};
const UI_SERVER: GoBinary = {
  what: 'Temporal UI server',
  module: 'github.com/temporalio/ui-server/v2/cmd/server',
  version: UI_SERVER_VERSION,
  built: 'server',
  binary: 'temporal-ui-server',
  folder: 'temporal-ui-server',
  envVar: 'TEMPORAL_UI_SERVER_PATH',
};

export function cacheBase(env = process.env): string {
  return env.HUANJIE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huanjie');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function goVersion(): [number, number] | undefined {
  try {
    const out = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /^go(\d+)\.(\d+)/.exec(out.trim());
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  } catch {
    return undefined;
  }
}

async function ensureGoBinary(b: GoBinary, log: (line: string) => void, env = process.env): Promise<string> {
  const configured = env[b.envVar];
  if (configured) {
    if (!executable(configured))
      throw new SetupError(`${b.envVar}=${configured} is not an executable file; fix the path or unset it`);
    return configured;
  }
  const dir = join(cacheBase(env), b.folder, b.version);
  const binary = join(dir, b.binary);
  if (executable(binary)) return binary;
  const go = goVersion();
  if (!go || go[0] < 1 || (go[0] === 1 && go[1] < 25))
    throw new SetupError(
      `${b.what} ${b.version} not found in ${dir} and it needs Go ≥ 1.25 to build (${go ? `this machine has go${go.join('.')}` : 'Go is not installed'}); install Go, or set ${b.envVar}`,
    );
  // A temporary folder and a rename: an interrupted build never leaves a broken binary behind.
  const staging = `${dir}.building-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  log(`Building ${b.what} ${b.version} with go${go.join('.')} into ${dir} (once per machine; minutes on 2 cores)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', `${b.module}@${b.version}`], {
      env: { ...env, GOBIN: staging, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const ticker = setInterval(
      () => log(`  … still building ${b.what} (${Math.round((Date.now() - started) / 1000)} s)`),
      30_000,
    );
    child.on('error', (e) => {
      clearInterval(ticker);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else
        reject(
          new SetupError(
            `go install ${b.module}@${b.version} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-8).join('\n')}`,
          ),
        );
    });
  }).catch((e) => {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  });
  mkdirSync(dir, { recursive: true });
  if (!existsSync(binary)) renameSync(join(staging, b.built), binary);
  rmSync(staging, { recursive: true, force: true });
  log(`${b.what} ready after ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

export const ensureTemporalServer = (log: (l: string) => void = console.log, env = process.env) =>
  ensureGoBinary(SERVER, log, env);
export const ensureSchemaTool = (log: (l: string) => void = console.log, env = process.env) =>
  ensureGoBinary(SQL_TOOL, log, env);
export const ensureUiServer = (log: (l: string) => void = console.log, env = process.env) =>
  ensureGoBinary(UI_SERVER, log, env);

/** The server module's folder (its PostgreSQL schemas live there), downloaded through the module proxy if absent. */
export function serverModuleDir(): string {
  try {
    const out = execFileSync('go', ['mod', 'download', '-json', `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
    const dir = (JSON.parse(out) as { Dir?: string }).Dir;
    if (!dir) throw new Error('no Dir in the answer');
    return dir;
  } catch (e) {
    throw new SetupError(
      `cannot find the Temporal server module (for its SQL schemas): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = (l: string) => console.error(l);
  (async () => {
    // One at a time: each go build already uses every core.
    console.log(await ensureTemporalServer(log));
    console.log(await ensureSchemaTool(log));
    console.log(await ensureUiServer(log));
  })().catch((e: Error) => {
    console.error(e instanceof SetupError ? e.message : e.stack);
    process.exit(1);
  });
}
