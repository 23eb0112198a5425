/**
 * Finds the Temporal CLI v1.5.1, never downloading a binary: TEMPORAL_CLI_PATH, then the cache
 * outside the repo, else builds it there from the Go module proxy with the machine's Go (≥ 1.25).
 * Run alone (`npm run temporal:cli`) it prints the path, building first if needed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export class SetupError extends Error {
  override name = 'SetupError';
}

export function cliCacheDir(env = process.env): string {
  const base = env.HUANJIE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huanjie');
  return join(base, 'temporal-cli', TEMPORAL_CLI_VERSION);
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
    const out = execFileSync('go', ['env', 'GOVERSION'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const m = /^go(\d+)\.(\d+)/.exec(out);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  } catch {
    return undefined;
  }
}

export async function ensureTemporalCli(log: (line: string) => void = console.log, env = process.env): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!executable(env.TEMPORAL_CLI_PATH))
      throw new SetupError(
        `TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file; fix the path or unset it to use the cache`,
      );
    return env.TEMPORAL_CLI_PATH;
  }
  const dir = cliCacheDir(env);
  const binary = join(dir, 'temporal');
  if (executable(binary)) return binary;

  const go = goVersion();
  if (!go) {
    throw new SetupError(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} not found in ${dir} and Go is not installed: install Go ≥ 1.25 (https://go.dev/doc/install) and run again, or install the CLI yourself and set TEMPORAL_CLI_PATH`,
    );
  }
  if (go[0] < 1 || (go[0] === 1 && go[1] < 25)) {
    throw new SetupError(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} needs Go ≥ 1.25 to build; this machine has go${go.join('.')}. Upgrade Go or set TEMPORAL_CLI_PATH`,
    );
  }
  // Build into a temporary folder and rename, so an interrupted build never leaves a broken binary.
  const staging = `${dir}.building-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with go${go.join('.')} from the Go module proxy into ${dir}`);
  log('This happens once per machine and takes a few minutes (about 3–6 on 2 cores); later starts take seconds.');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', MODULE], {
      env: { ...env, GOBIN: staging, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const ticker = setInterval(
      () => log(`  … still building (${Math.round((Date.now() - started) / 1000)} s)`),
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
            `go install ${MODULE} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-8).join('\n')}`,
          ),
        );
    });
  }).catch((e) => {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  });
  mkdirSync(dir, { recursive: true });
  if (!existsSync(binary)) renameSync(join(staging, 'temporal'), binary);
  rmSync(staging, { recursive: true, force: true });
  log(`Temporal CLI ready after ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureTemporalCli((l) => console.error(l)).then(
    (p) => console.log(p),
    (e: Error) => {
      console.error(e instanceof SetupError ? e.message : e.stack);
      process.exit(1);
    },
  );
}
