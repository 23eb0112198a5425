/**
 * Parts of the stack as processes of their own, as in production: the production worker
 * (`worker/main.ts`) for the soak and the mixed reads — its RSS is then the worker's alone, where the
 * bench process also holds the API, the client and whatever earlier measurements left in its heap —
 * and the API for the mixed reads (bench/api-process.ts), off the event loop of the load it serves,
 * and the mixed reads' readers (bench/readers-process.ts), off the event loop of the drivers.
 */
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReadersConfig, ReadTimes } from './readers.js';
import type { FromReaders, ToReaders } from './readers-process.js';

export interface ChildProcess {
  pid: number;
  /** The match of the line that said it was ready. */
  ready: RegExpMatchArray;
  /** Resident set size now, from /proc (Linux), in MB. */
  rssMB: () => number;
  /** SIGTERM (it drains and exits) and wait for the exit. */
  stop: () => Promise<void>;
}
export type WorkerProcess = ChildProcess;

/** Runs `script` (a path from the repository's root) under tsx until its output matches `ready`. */
async function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  log: (line: string) => void,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} process not ready in 180 s:\n${output}`)), 180_000);
    const onData = (b: Buffer) => {
      output = (output + b.toString()).slice(-4000);
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} process exited (${code}) before it was ready:\n${output}`));
    });
  });
  // Keep draining its output, or a full pipe would block it; echo only errors.
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.removeAllListeners('data');
  child.stderr.on('data', (b: Buffer) => log(`   [${name}] ${b.toString().trim().slice(0, 300)}`));
  const pid = child.pid!;
  return {
    pid,
    ready: match,
    rssMB: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
    },
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) log(`   ${name} process exited with ${code}`);
    },
  };
}

export const spawnWorker = (env: Record<string, string>, log: (line: string) => void) =>
  spawnNode('worker', 'worker/main.ts', env, /polling task queue/, log);

/** The API and the bare route beside it: their URLs. */
export async function spawnApi(
  env: Record<string, string>,
  log: (line: string) => void,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess & { apiUrl: string; bareUrl: string }> {
  const p = await spawnNode('api', 'bench/api-process.ts', env, /ready (\S+) (\S+)\n/, log, nodeArgs);
  return { ...p, apiUrl: p.ready[1]!, bareUrl: p.ready[2]! };
}

/** Measurement 7's readers in a process of their own (bench/readers-process.ts), told over IPC. */
export async function spawnReaders(log: (line: string) => void) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = fork('bench/readers-process.ts', [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  child.stderr!.on('data', (b: Buffer) => log(`   [readers] ${b.toString().trim().slice(0, 300)}`));
  const next = (type: FromReaders['type']) =>
    new Promise<FromReaders>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`readers process exited (${code}) before ${type}`));
      child.once('exit', onExit);
      child.on('message', function on(m: FromReaders) {
        if (m.type !== type) return;
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m);
      });
    });
  await next('ready');
  // Drivers given up go on closing their cycles after the readers have stopped and exited.
  const tell = (m: ToReaders) => void (child.connected && child.send(m));
  child.on('error', (e) => log(`   [readers] ${e.message}`));
  return {
    start: (config: ReadersConfig, inFlight: readonly string[]) => {
      const times = next('times');
      tell({ type: 'start', config, inFlight: [...inFlight] });
      return {
        closed: (cycleId: string) => tell({ type: 'closed', cycleId }),
        /** Ends the reading (if the cycles have not) and answers the readers' times. */
        stop: async (): Promise<ReadTimes> => {
          tell({ type: 'stop' });
          return ((await times) as Extract<FromReaders, { type: 'times' }>).times;
        },
      };
    },
  };
}
