/**
 * The production worker (`worker/main.ts`) as a process of its own, for the soak: its RSS is then
 * the worker's alone — the bench process also holds the API, the client and whatever earlier
 * measurements left in its heap, which would blur a 1 GiB goal.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WorkerProcess {
  pid: number;
  /** Resident set size now, from /proc (Linux), in MB. */
  rssMB: () => number;
  /** SIGTERM (the worker drains and exits) and wait for the exit. */
  stop: () => Promise<void>;
}

export async function spawnWorker(env: Record<string, string>, log: (line: string) => void): Promise<WorkerProcess> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready in 180 s:\n${output}`)), 180_000);
    const onData = (b: Buffer) => {
      output = (output + b.toString()).slice(-4000);
      if (output.includes('polling task queue')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code}) before polling:\n${output}`));
    });
  });
  // Keep draining its output, or a full pipe would block it; echo only errors.
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.removeAllListeners('data');
  child.stderr.on('data', (b: Buffer) => log(`   [worker] ${b.toString().trim().slice(0, 300)}`));
  const pid = child.pid!;
  return {
    pid,
    rssMB: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
    },
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) log(`   worker process exited with ${code}`);
    },
  };
}
