/**
 * `npm start` (and the worker run on its own) with bad configuration ends with one clear line saying
 * what to fix — no stack trace — before it starts anything.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'huanjie-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, listen));
  const ports = servers.map(portOf);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function start(
  env: Record<string, string>,
  script = 'scripts/start.ts',
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? scratch,
        HUANJIE_DATA_DIR: join(scratch, 'data'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

function expectOneClearLine(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !/npm warn/.test(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('npm start refuses bad configuration in one line', () => {
  it('an unparseable DATABASE_URL', async () => {
    const [api, temporal, ui] = await freePorts(3);
    const r = await start({
      DATABASE_URL: 'not a url',
      API_PORT: String(api),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
    });
    expectOneClearLine(r, /^configuration: DATABASE_URL must be a URL like postgres:\/\//);
  });

  it('a port that is taken', async () => {
    const busy = await listen();
    try {
      const [temporal, ui] = await freePorts(2);
      const r = await start({
        API_PORT: String(portOf(busy)),
        TEMPORAL_PORT: String(temporal),
        TEMPORAL_UI_PORT: String(ui),
      });
      expectOneClearLine(
        r,
        new RegExp(`^port ${portOf(busy)} \\(API\\) is taken; stop what uses it or set API_PORT to a free port$`),
      );
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('no Temporal CLI and no Go to build it', async () => {
    const [api, temporal, ui] = await freePorts(3);
    // An empty cache and a PATH with node but without go.
    const r = await start({
      PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
      HUANJIE_CACHE_DIR: join(scratch, 'empty-cache'),
      API_PORT: String(api),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
    });
    expectOneClearLine(
      r,
      /^Temporal CLI v1\.5\.1 not found in .* and Go is not installed: install Go ≥ 1\.25 .* or .* set TEMPORAL_CLI_PATH$/,
    );
  });

  it('a TEMPORAL_CLI_PATH that is not there', async () => {
    const [api, temporal, ui] = await freePorts(3);
    const r = await start({
      TEMPORAL_CLI_PATH: '/nowhere/temporal',
      API_PORT: String(api),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
    });
    expectOneClearLine(r, /^TEMPORAL_CLI_PATH=\/nowhere\/temporal is not an executable file/);
  });
});

describe('the worker on its own refuses bad configuration in one line', () => {
  it('a workflow cache size that is not a whole number', async () => {
    const r = await start(
      {
        WORKER_MAX_CACHED_WORKFLOWS: '2.5',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      },
      'worker/main.ts',
    );
    expectOneClearLine(r, /^configuration: WORKER_MAX_CACHED_WORKFLOWS must be a whole number$/);
  });

  it('fewer workflow tasks at once than the SDK can run with a cache', async () => {
    const r = await start(
      {
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      },
      'worker/main.ts',
    );
    expectOneClearLine(
      r,
      /^configuration: WORKER_MAX_CONCURRENT_WORKFLOW_TASKS must be at least 2 \(the SDK needs 2 with a workflow cache\)$/,
    );
  });
});

describe('the API on its own refuses bad configuration in one line', () => {
  it('a tokenless codec origin on an API that listens beyond loopback', async () => {
    const r = await start(
      {
        API_HOST: '0.0.0.0',
        CODEC_TRUSTED_ORIGINS: 'http://127.0.0.1:8233',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        JWT_SECRET: 'x'.repeat(32),
      },
      'api/server.ts',
    );
    expectOneClearLine(r, /^configuration: CODEC_TRUSTED_ORIGINS lets callers decode without a token, .*loopback/);
  });
});
