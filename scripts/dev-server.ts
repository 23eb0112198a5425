/**
 * Starts the Temporal CLI dev server as a child process and waits until it answers, with the
 * project's search attributes registered — also on a reused database file, where the server ignores
 * `--search-attribute` flags, so missing ones are added through the operator service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { createRequire } from 'node:module';

// @temporalio/proto is CommonJS without static named exports, so ESM needs require() to reach it.
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');
import { SEARCH_ATTRIBUTE_TYPES } from '../temporal/search-attributes.js';
import { SetupError } from './temporal-cli.js';

export interface DevServerOptions {
  cli: string;
  port: number;
  namespace: string;
  /** Persistent SQLite file; in memory when omitted. */
  dbFile?: string;
  /** UI port; headless when omitted. */
  uiPort?: number;
  codecEndpoint?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const VT = temporal.api.enums.v1.IndexedValueType;
const TYPE_ENUM = {
  Keyword: VT.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: VT.INDEXED_VALUE_TYPE_BOOL,
  Datetime: VT.INDEXED_VALUE_TYPE_DATETIME,
} as const;

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${o.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace,
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    ...(o.dbFile ? ['--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL'] : []),
    ...(o.uiPort ? ['--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(o.codecEndpoint ? ['--ui-codec-endpoint', o.codecEndpoint] : []),
    ...Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
  const child = spawn(o.cli, args, {
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });

  const stop = async () => {
    if (exited !== undefined || child.exitCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await done;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      const taken = /address already in use|bind/i.test(output);
      throw new SetupError(
        taken
          ? `Temporal dev server could not bind 127.0.0.1:${o.port}${o.uiPort ? ` or UI port ${o.uiPort}` : ''}: the port is taken; set TEMPORAL_PORT / TEMPORAL_UI_PORT to free ports`
          : `Temporal dev server exited (code ${exited}): ${output.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: o.namespace });
        await ensureSearchAttributes(connection, o.namespace);
      } finally {
        await connection.close();
      }
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new SetupError(
          `Temporal dev server did not become ready at ${address} within ${(o.startTimeoutMs ?? 60_000) / 1000} s: ${(e as Error).message}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { address, ...(o.uiPort ? { uiUrl: `http://127.0.0.1:${o.uiPort}` } : {}), child, stop };
}

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.entries(SEARCH_ATTRIBUTE_TYPES).filter(([name]) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPE_ENUM[type]])),
  });
  return missing.map(([name]) => name);
}
