/**
 * `npm run bench`: measures, side by side in one run on one machine, with its own dev server,
 * database and worker (nothing shared with `npm start`):
 *   1. full cycles (10 candidates, all departments, zero-length compressed calendar) through the API
 *      vs a trivial one-activity workflow (300 before, between and after them; the median block's
 *      rate) — per second, and state transitions (history events);
 *      the cycles 3 at a time (an organizer's pace) and again 30 at a time like the trivial ones;
 *   2. API latency p50/p99 under concurrent load: start, get-one, list vs a bare Hono route and a
 *      bare SELECT 1 route;
 *   3. cost per candidate as one cycle grows (BENCH_SIZES, default 10,100,1000), every run of the
 *      cycle counted (it continues as new when its history grows long);
 *   4. worker memory per 1,000 open cycles waiting on timers (all in the worker's cache), beside the
 *      floor: at least 2,000 idle one-timer workflows on the same SDK (bench/idle-workflow.ts); and query
 *      latency on evicted workflows from a worker whose cache holds 100;
 *   5. measurement 1 again on the production shape (bench/cluster.ts: 8 shards, 2 workers);
 *   6. the console's pages for one user (bench/console.ts);
 *   7. reads under mixed load: cycles driven through the API while 16 readers GET cycles,
 *      candidates and reports, beside a bare Hono route (bench/mixed-reads.ts); the worker, cache
 *      100, in a process of its own as in production, and the API with the bare route in another
 *      (bench/api-process.ts; BENCH_MIXED_API=bench runs it here, beside the load, as runs before 12-04 did),
 *      and the readers in a third (bench/readers-process.ts; BENCH_MIXED_READERS=bench: here, beside the drivers);
 *   8. POST /v1/cycles against a bare client.workflow.start (bench/starts.ts);
 *   9. the scale soak: many open cycles on a worker with a small cache, their timers firing
 *      (bench/soak.ts).
 * Issue 14's goals are judged from these in one table (bench/goals.ts).
 * BENCH_MEASURE=1,5 runs a subset (2 reads the cycles 1 drove).
 * Results: bench/results/<time>.json and bench/results/latest.md. Ratios, not absolute numbers, are
 * what compare across runs: machines here are shared and noisy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createPool, type Pool } from '../activities/db.js';
import { createApp } from '../api/app.js';
import { signToken, type AuthConfig } from '../api/auth.js';
import {
  candidateWorkflowId,
  cycleKeyFromId,
  cycleWorkflowId,
  pingWorkflowId,
  supervisionWorkflowId,
} from '../domain/ids.js';
import { DEFAULT_DEPARTMENTS, policySchema } from '../domain/eager/policy.js';
import { startDevServer } from '../scripts/dev-server.js';
import { resolvePostgres } from '../scripts/postgres.js';
import { createSimulator } from '../scripts/simulator.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { buildWorkflowBundle, createThrowawayDatabase } from '../scripts/throwaway.js';
import { AesGcmCodec, generateCodecKey, parseCodecKeys } from '../temporal/codec.js';
import { connectClient, dataConverter } from '../temporal/connection.js';
import { createHuanjieWorker, WORKFLOW_TASK_SLOTS } from '../worker/worker.js';
import { measureClusterThroughput } from './cluster.js';
import proto from '@temporalio/proto';
import { getStateQuery } from '../workflows/contracts/cycle.js';
import { pingWorkflow } from '../workflows/ping.js';
import { actUpdate, actsWorkflow } from './acts-workflow.js';
import { measureConsolePages } from './console.js';
import { goals } from './goals.js';
import { markdown } from './markdown.js';
import { measureMixedReads } from './mixed-reads.js';
import { measureSoak } from './soak.js';
import { measureStarts } from './starts.js';
import { cpuPerRun, cpuSampler, type CpuSample } from './cpu.js';
import { spawnApi, spawnWorker, type WorkerProcess } from './processes.js';
import { bareApp, benchDistrict, load, mb, pct, round, serveOn, waitForCount } from './util.js';

const log = (l: string) => console.log(`[bench] ${l}`);
const AUTH: AuthConfig = {
  secret: 'bench-secret-bench-secret-bench-secret-42',
  issuer: 'huanjie',
  audience: 'huanjie-api',
};
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
const OPEN_CYCLES = Number(process.env.BENCH_OPEN_CYCLES ?? 1000);
/** Which measurements to run (default all); 2 reads the cycles 1 drove. */
const MEASURE = new Set((process.env.BENCH_MEASURE ?? '1,2,3,4,5,6,7,8,9').split(',').map(Number));
const envNumber = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: a number ≥ 0`);
  return n;
};
/** 7: cycles in flight (default 200, issue 14's load), candidates each, the worker's cache meanwhile. */
const MIXED_CYCLES = envNumber('BENCH_MIXED_CYCLES', 200);
const MIXED_CANDIDATES = envNumber('BENCH_MIXED_CANDIDATES', 2);
const MIXED_CACHE = envNumber('BENCH_MIXED_CACHE', 100);
const MIXED_DRIVE_SECONDS = envNumber('BENCH_MIXED_DRIVE_SECONDS', 900);
/** The simulator's joint-review departments answer one after another, as before 12-06 (default: together). */
const DEPARTMENTS_IN_TURN = process.env.BENCH_DEPARTMENTS_IN_TURN === '1';
/**
 * The cycles' calendar: `zero` (default) is a working day of no length, so every deadline is due at once
 * and each cycle takes the late path in full (every review chased and escalated, every checkpoint overdue
 * and escalated); `kept` is a working day of three seconds with the reviews' and checkpoints' deadlines 60
 * working days out (three minutes), so a bench-long cycle is answered in time, as one kept to its calendar
 * is — its publicity period, one working day, then lasts three seconds, which slows cycles driven 3 at a
 * time but not their CPU.
 */
const CALENDAR = process.env.BENCH_CALENDAR === 'kept' ? 'kept' : 'zero';
/**
 * Workflow tasks at once for every worker of the run: the product's default unless
 * `WORKER_MAX_CONCURRENT_WORKFLOW_TASKS` says otherwise — read here for the workers in this process; a
 * spawned worker inherits the variable (bench/processes.ts) and reads it itself.
 */
const WORKFLOW_TASKS_SET = Number(process.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS) || undefined;
const WORKFLOW_TASKS = WORKFLOW_TASKS_SET ?? WORKFLOW_TASK_SLOTS;
/** 7: `own` (default) runs the API in a process of its own, as in production; `bench` in this one, beside the load. */
const MIXED_API = process.env.BENCH_MIXED_API === 'bench' ? 'bench' : 'own';
/** Where measurement 7's readers run: a process of their own, or (`bench`) beside the drivers, as before 12-05 evening. */
const MIXED_READERS = process.env.BENCH_MIXED_READERS === 'bench' ? 'bench' : 'own';
/** 8: starts of each kind. */
const STARTS = envNumber('BENCH_STARTS', 150);
/** 9: open cycles, the worker's cache, the timer each supervision sets, grace after the last one, reads. */
const SOAK_CYCLES = envNumber('BENCH_SOAK_CYCLES', 10_000);
const SOAK_CACHE = envNumber('BENCH_SOAK_CACHE', 500);
// Long enough that most cycles are open before the first timers fire (starts run at ~50–100/s here).
const SOAK_TIMER_SECONDS = envNumber('BENCH_SOAK_TIMER_SECONDS', Math.max(60, Math.ceil(SOAK_CYCLES / 50)));
const SOAK_GRACE_SECONDS = envNumber('BENCH_SOAK_GRACE_SECONDS', Math.max(120, Math.ceil(SOAK_CYCLES / 20)));
const SOAK_READS = envNumber('BENCH_SOAK_READS', 2000);
// The soak's starts wait while more workflow tasks than this wait in the task queue (0: unpaced).
const SOAK_MAX_BACKLOG = envNumber('BENCH_SOAK_MAX_BACKLOG', 100);

async function historyEvents(client: Client, workflowIds: string[]): Promise<number> {
  let n = 0;
  for (const id of workflowIds) n += (await client.workflow.getHandle(id).describe()).historyLength;
  return n;
}

/**
 * Where a cycle's events go: per kind of workflow (cycle, supervision, candidate), each event type's
 * count per candidate, so the README can show which acts cost what.
 */
async function eventsByKind(client: Client, workflowIds: string[], candidates: number) {
  const byKind: Record<string, Record<string, number>> = {};
  for (const id of workflowIds) {
    const kind = id.split(':')[0]!;
    const counts = (byKind[kind] ??= {});
    const history = await client.workflow.getHandle(id).fetchHistory();
    // BENCH_DUMP_HISTORIES=<dir>: each history as JSON too, to read which acts cost what.
    if (process.env.BENCH_DUMP_HISTORIES)
      writeFileSync(
        join(process.env.BENCH_DUMP_HISTORIES, `${id.replace(/[^\w-]/g, '_')}.json`),
        JSON.stringify(history),
      );
    for (const e of history.events ?? []) {
      const type =
        Object.keys(e)
          .find((k) => k.endsWith('EventAttributes'))
          ?.replace(/EventAttributes$/, '') ?? '?';
      counts[type] = (counts[type] ?? 0) + 1;
    }
  }
  const perCandidate: Record<string, Record<string, number>> = {};
  for (const [kind, counts] of Object.entries(byKind))
    perCandidate[kind] = Object.fromEntries(
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([t, n]) => [t, round(n / candidates, 1)]),
    );
  return perCandidate;
}

/** Every run of one workflow id (a cycle continues as new): events and bytes of each history. */
async function runsOf(client: Client, workflowId: string): Promise<{ events: number; bytes: number }[]> {
  const runs: { events: number; bytes: number }[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    // The server's own count of bytes: fetching a large run's history can exceed a gRPC message.
    const d = await client.workflow.getHandle(workflowId, run.runId).describe();
    runs.push({ events: d.historyLength, bytes: d.historySize ?? NaN });
  }
  return runs;
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scratch = mkdtempSync(join(tmpdir(), 'huanjie-bench-'));
  const cli = await ensureTemporalCli(log);
  const temporalServer = await startDevServer({
    cli,
    port: 17233 + Math.floor(Math.random() * 1000),
    namespace: 'default',
    startTimeoutMs: 90_000,
  });
  const pgServer = await resolvePostgres({
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    dataDir: scratch,
    database: 'postgres',
    log,
  });
  const database = await createThrowawayDatabase(pgServer.url, 'huanjie_bench');
  const databaseUrl = database.url;
  const bundlePath = await buildWorkflowBundle(scratch);

  const codecSpec = generateCodecKey('bench');
  const codecKeys = parseCodecKeys(codecSpec);
  const pool: Pool = createPool(databaseUrl, { max: 20 });
  const client = await connectClient({ address: temporalServer.address, namespace: 'default', codecKeys });
  const connection = await NativeConnection.connect({ address: temporalServer.address });
  const taskQueue = 'bench';
  const startWorker = async (
    maxCachedWorkflows?: number,
    queue = taskQueue,
  ): Promise<{ worker: Worker; running: Promise<void> }> => {
    const worker = await createHuanjieWorker({
      connection,
      namespace: 'default',
      taskQueue: queue,
      pool,
      codecKeys,
      temporal: client,
      workflowBundlePath: bundlePath,
      tuning: {
        ...(WORKFLOW_TASKS_SET ? { maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASKS_SET } : {}),
        ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
      },
    });
    return { worker, running: worker.run() };
  };
  let w = await startWorker();
  /**
   * Runs `fn` with the production worker (`worker/main.ts`) in a process of its own instead of this
   * one's, as it runs in production: its RSS is its own, and its workflow tasks and sinks do not share
   * an event loop or a pg pool with the API and the readers measured here.
   */
  const withWorkerProcess = async <T>(
    cache: number,
    fn: (p: WorkerProcess & { metricsUrl: string }) => Promise<T>,
  ): Promise<T> => {
    // The SDK's Prometheus exporter, read by the soak (sticky cache hits and misses).
    const metricsPort = 19_000 + Math.floor(Math.random() * 1000);
    const p = await spawnWorker(
      {
        WORKER_METRICS_PORT: String(metricsPort),
        TEMPORAL_ADDRESS: temporalServer.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATABASE_URL: databaseUrl,
        CODEC_KEYS: codecSpec,
        WORKER_MAX_CACHED_WORKFLOWS: String(cache),
      },
      log,
    );
    w.worker.shutdown();
    await w.running;
    try {
      return await fn({ ...p, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
    } finally {
      await p.stop();
      w = await startWorker();
    }
  };
  const app = createApp({
    temporal: client,
    pool,
    taskQueue,
    auth: AUTH,
    codecKeys,
    codec: new AesGcmCodec(codecKeys),
    rateLimit: { perMinute: 10_000_000, burst: 1_000_000 },
  });
  const apiServer = await serveOn(app.fetch);
  const organizer = await signToken(AUTH, { sub: 'bench', roles: ['organizer'], scope: '440000', rootAuthority: true });
  const reviewer = await signToken(AUTH, {
    sub: 'bench-reviewer',
    // Every department a default policy reviews with (the bench's cycles use the default).
    roles: DEFAULT_DEPARTMENTS.map((d) => `reviewer:${d}` as const),
    scope: '440000',
  });
  const intake = await signToken(AUTH, { sub: 'bench-intake', roles: ['intake'], scope: '440000' });
  const simulator = createSimulator({
    baseUrl: apiServer.url,
    organizerToken: organizer,
    reviewerToken: reviewer,
    patienceMs: 600_000,
    departmentsInTurn: DEPARTMENTS_IN_TURN,
  });
  const tree = [
    { id: '440000', name: '广东省', level: 'province', parentId: null },
    { id: '440300', name: '深圳市', level: 'city', parentId: '440000' },
    ...Array.from({ length: 200 }, (_, i) => ({
      id: benchDistrict(i),
      name: `基准区${i}`,
      level: 'county',
      parentId: '440300',
    })),
  ];
  const put = await simulator.call('PUT', '/v1/jurisdictions', organizer, { jurisdictions: tree });
  if (put.status !== 200) throw new Error(`bench tree: ${put.status} ${JSON.stringify(put.body)}`);

  const cleanup = async () => {
    await new Promise((r) => apiServer.server.close(r));
    w.worker.shutdown();
    await w.running.catch(() => undefined);
    await client.connection.close();
    await connection.close();
    await pool.end();
    await database.drop();
    await temporalServer.stop();
    await pgServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await measure();
  } finally {
    await cleanup();
  }

  async function measure() {
    const results: Record<string, unknown> = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      departmentsInTurn: DEPARTMENTS_IN_TURN,
      calendar: CALENDAR,
      workflowTaskSlots: WORKFLOW_TASKS,
    };
    const zeroCalendar = { kind: 'compressed', secondsPerWorkingDay: 0 };
    const kept =
      CALENDAR === 'kept'
        ? {
            calendar: { kind: 'compressed', secondsPerWorkingDay: 3 },
            jointReview: { chaseAtWorkingDays: 60, deadlineWorkingDays: 60 },
            supervision: { checkpointWorkingDays: 60 },
          }
        : {};
    const fullPolicy = (perSeat: number) => ({
      inspectionPerSeat: perSeat,
      shortlistPerSeat: 1,
      publicityWorkingDays: 1,
      calendar: zeroCalendar,
      ...kept,
      inspection: {
        interviews: {
          superiors: 0,
          subordinates: 0,
          disciplineHead: 0,
          hrHead: 0,
          informedPeople: 0,
          serviceUsers: 0,
          previousPosts: 0,
          candidateAndSpouse: 0,
        },
        homeVisitForFirstPromotion: false,
      },
    });
    /** As fullPolicy, on a calendar whose working day is an hour: nothing a bench-long cycle sets fires. */
    const quietPolicy = (perSeat: number) => ({
      ...fullPolicy(perSeat),
      calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 },
    });
    /** A cycle of `seats` seats (split into positions of at most 50, the domain's limit). */
    const cycleBody = (jurisdictionId: string, term: string, seats: number, perSeat: number) => ({
      jurisdictionId,
      term,
      positions: Array.from({ length: Math.ceil(seats / 50) }, (_, i) => ({
        id: `members${i + 1}`,
        title: `委员（${i + 1}）`,
        seats: Math.min(50, seats - i * 50),
      })),
      committees: { standing: 11, full: 31 },
      policy: fullPolicy(perSeat),
    });
    const startCycle = async (
      jurisdictionId: string,
      term: string,
      seats: number,
      perSeat: number,
      through: Pick<typeof simulator, 'call'> = simulator,
    ) => {
      const res = await through.call('POST', '/v1/cycles', organizer, cycleBody(jurisdictionId, term, seats, perSeat));
      if (res.status !== 201)
        throw new Error(`start ${jurisdictionId}:${term}: ${res.status} ${JSON.stringify(res.body)}`);
      return `${jurisdictionId}:${term}`;
    };
    const workflowsOf = async (cycleId: string) => {
      const s = await client.workflow.getHandle(cycleWorkflowId(cycleId)).query(getStateQuery);
      return [
        cycleWorkflowId(cycleId),
        supervisionWorkflowId(cycleId),
        ...s.candidates.map((c) => candidateWorkflowId(cycleId, c.personId)),
      ];
    };

    /**
     * Goal 2's floor: a cycle's human acts alone, one Update each on workflows that do nothing else
     * (bench/acts-workflow.ts), in the simulator's pattern — the cycle's four stage inputs, ten
     * candidates four at a time (the team's two inputs in turn beside seven verdicts, then the dossier),
     * the cycle's four decisions — `n` of them 30 at a time. No API, database, record, timer or
     * activity: what one Update per act costs the server and the SDK at least, on their own worker.
     */
    const actsFloor = async (n: number, cpu: ReturnType<typeof cpuSampler>) => {
      const queue = `${taskQueue}-acts`;
      const worker = await Worker.create({
        connection,
        namespace: 'default',
        taskQueue: queue,
        workflowsPath: new URL('./acts-workflow.ts', import.meta.url).pathname,
        dataConverter: dataConverter(codecKeys),
      });
      const running = worker.run();
      const stamp = Date.now();
      const act = (h: WorkflowHandle, what: string, last = false) =>
        h.executeUpdate(actUpdate, { args: [what, last] }).then(() => undefined);
      const open = (id: string) => client.workflow.start(actsWorkflow, { workflowId: id, taskQueue: queue });
      const actsCycle = async (i: number) => {
        const id = `bench-acts-${stamp}-${i}`;
        const cycle = await open(id);
        for (const stage of ['launch', 'analysis', 'cadreMeeting', 'fullCommittee']) await act(cycle, stage);
        const candidates = await Promise.all(Array.from({ length: 10 }, (_, k) => open(`${id}-${k + 1}`)));
        let next = 0;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let k = next++; k < candidates.length; k = next++) {
              const h = candidates[k]!;
              const team = async () => {
                await act(h, 'inspection');
                await act(h, 'personal-matters');
              };
              await Promise.all([team(), ...Array.from({ length: 7 }, (_, d) => act(h, `verdict ${d + 1}`))]);
              await act(h, 'dossier', true);
              await h.result();
            }
          }),
        );
        for (const stage of ['standing-committee', 'committee-vote', 'approval']) await act(cycle, stage);
        await act(cycle, 'election', true);
        await cycle.result();
      };
      log(`   the acts alone (goal 2's floor): ${n} cycles' Updates on workflows that do nothing else, 30 at a time`);
      const c = cpu.sample();
      const t = performance.now();
      await load(n, 30, actsCycle);
      const wall = (performance.now() - t) / 1000;
      const used = cpu.since(c);
      worker.shutdown();
      await running;
      return { wall, cpu: used };
    };

    // ---- 1. throughput --------------------------------------------------------------------------
    const cycles = Number(process.env.BENCH_CYCLES ?? 6);
    /** 1, capacity: cycles driven 30 at a time, as many at once as the trivial workflows. */
    const CAPACITY_CYCLES = envNumber('BENCH_CAPACITY_CYCLES', 30);
    if (MEASURE.has(1)) {
      log(`1. ${cycles} full cycles of 10 candidates × 7 departments, 3 at a time, through the API`);
      const cpu = cpuSampler({
        temporalPid: temporalServer.child.pid,
        database: new URL(databaseUrl).pathname.slice(1),
      });
      // The trivial workflows run in three blocks — before the cycles, between them and after — and
      // their median rate counts: one block lasts ~5 s, and back-to-back runs of one block moved
      // 42–61/s on this machine (docs/benchmarks.md, 12-06 13:59), the ratio with them.
      const trivial: { wall: number; cpu: CpuSample }[] = [];
      const trivialBlock = async (when: string) => {
        log(`   trivial one-activity workflow ×300, 30 at a time (${when})`);
        const c = cpu.sample();
        const t = performance.now();
        await load(300, 30, (i) =>
          client.workflow
            .execute(pingWorkflow, {
              workflowId: pingWorkflowId(`bench-${when}-${i}-${Date.now()}`),
              taskQueue,
              args: ['b'],
            })
            .then(() => undefined),
        );
        trivial.push({ wall: (performance.now() - t) / 1000, cpu: cpu.since(c) });
      };
      await trivialBlock('before the cycles');
      const ids = await Promise.all(
        Array.from({ length: cycles }, (_, i) => startCycle(benchDistrict(i), '2026', 5, 2)),
      );
      const c0 = cpu.sample();
      const t0 = performance.now();
      await load(ids.length, 3, (i) => simulator.driveCycle(ids[i]!).then(() => undefined));
      const cycleWall = (performance.now() - t0) / 1000;
      const cycleCpu = cpu.since(c0);
      let events = 0;
      for (const id of ids) events += await historyEvents(client, await workflowsOf(id));
      const breakdown = await eventsByKind(client, await workflowsOf(ids[0]!), 10);
      log(`   events per candidate by workflow and type (first cycle): ${JSON.stringify(breakdown)}`);
      await trivialBlock('between the cycles');
      // Three at a time is one organizer's pace: each cycle waits on its own inputs one after another,
      // so it measures latency as much as work. Driven as many at a time as the trivial workflows, the
      // cycles are measured for the server's and the worker's work alone (capacity).
      log(`   ${CAPACITY_CYCLES} more full cycles, 30 at a time like the trivial workflows`);
      const wide = await Promise.all(
        Array.from({ length: CAPACITY_CYCLES }, (_, i) => startCycle(benchDistrict(i), '2040', 5, 2)),
      );
      const c2 = cpu.sample();
      const t2 = performance.now();
      await load(wide.length, 30, (i) => simulator.driveCycle(wide[i]!).then(() => undefined));
      const wideWall = (performance.now() - t2) / 1000;
      const wideCpu = cpu.since(c2);
      const floor = await actsFloor(CAPACITY_CYCLES, cpu);
      await trivialBlock('after the cycles');
      const trivialRates = trivial.map((b) => 300 / b.wall);
      const trivialRate = [...trivialRates].sort((a, b) => a - b)[1]!;
      const pingCpu = trivial
        .map((b) => b.cpu)
        .reduce((a, b) => ({
          bench: a.bench + b.bench,
          temporal: a.temporal + b.temporal,
          postgres: a.postgres + b.postgres,
          machine: a.machine + b.machine,
        }));
      results.throughput = {
        cyclesPerSecond: round(cycles / cycleWall, 3),
        trivialWorkflowsPerSecond: round(trivialRate, 1),
        trivialWorkflowsPerSecondEach: trivialRates.map((r) => round(r, 1)),
        eventsPerCycle: round(events / cycles, 0),
        eventsPerCandidate: round(events / cycles / 10, 1),
        ratioTrivialToCycle: round(trivialRate / (cycles / cycleWall), 0),
        cyclesPerSecond30AtATime: round(CAPACITY_CYCLES / wideWall, 3),
        ratioAtEqualConcurrency: round(trivialRate / (CAPACITY_CYCLES / wideWall), 0),
        actsFloorPerSecond30AtATime: round(CAPACITY_CYCLES / floor.wall, 3),
        ratioActsFloor: round(trivialRate / (CAPACITY_CYCLES / floor.wall), 0),
        eventsPerCandidateByType: breakdown,
        cpu: cpuPerRun({
          cycles: [cycleCpu, cycles],
          capacity: [wideCpu, CAPACITY_CYCLES],
          trivial: [pingCpu, 900],
          actsFloor: [floor.cpu, CAPACITY_CYCLES],
        }),
      };
      log(`   ${JSON.stringify(results.throughput)}`);
    }

    // ---- 2. API latency -------------------------------------------------------------------------
    if (MEASURE.has(2)) {
      log('2. API latency, 16 concurrent clients');
      const bare = bareApp();
      bare.get('/select1', async (c) => c.json((await pool.query('SELECT 1 AS one')).rows[0]));
      const bareServer = await serveOn(bare.fetch);
      const get = (url: string, token?: string) =>
        fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
          .then((r) => r.arrayBuffer())
          .then(() => undefined);
      const n = 800;
      const bareRoute = await load(n, 16, () => get(`${bareServer.url}/bare`));
      const select1 = await load(n, 16, () => get(`${bareServer.url}/select1`));
      const list = await load(n, 16, () => get(`${apiServer.url}/v1/cycles?scope=440300&limit=50`, organizer));
      const getOne = await load(n, 16, (i) =>
        get(`${apiServer.url}/v1/cycles/${benchDistrict(i % 6)}:2026`, organizer),
      );
      const starts = await load(300, 16, (i) =>
        startCycle(benchDistrict(100 + (i % 100)), String(3000 + Math.floor(i / 100)), 1, 1).then(() => undefined),
      );
      const row = (r: { ms: number[]; wall: number }) => ({
        p50: round(pct(r.ms, 50)),
        p99: round(pct(r.ms, 99)),
        perSecond: round(r.ms.length / (r.wall / 1000), 0),
      });
      results.apiLatencyMs = {
        bareHono: row(bareRoute),
        select1: row(select1),
        listCycles: row(list),
        getOneCycle: row(getOne),
        startCycle: row(starts),
      };
      log(`   ${JSON.stringify(results.apiLatencyMs)}`);
      await new Promise((r) => bareServer.server.close(r));
      // The 300 cycles just started keep the worker busy for a while (their supervision opens, goes
      // overdue and escalates on the zero-length calendar); measurement 3 starts once that is done.
      await waitForCount(
        'the escalated checkpoints of the 300 cycles measurement 2 started',
        async () =>
          (
            await pool.query(
              `SELECT count(*)::int AS n FROM supervision_checkpoints WHERE cycle_id LIKE '${benchDistrict(100).slice(0, -2)}%:3%' AND escalated_at IS NOT NULL`,
            )
          ).rows[0].n,
        300,
        15 * 60_000,
      );
    }

    // ---- 3. cost per candidate ------------------------------------------------------------------
    if (MEASURE.has(3)) {
      const rows: Record<string, unknown>[] = [];
      for (const [k, size] of SIZES.entries()) {
        // A small cycle's wall time is a few seconds, so one stall of the shared machine moved its cost per
        // candidate by half (12-06: the 10-candidate cycle took 5.9 s, 3.5 s on 12-05): small sizes are driven
        // several times, one after another, and their median counts; every wall time is kept.
        const repeats = size <= 10 ? 5 : size <= 100 ? 3 : 1;
        log(`3. ${repeats === 1 ? 'one cycle' : `${repeats} cycles, one after another,`} with ${size} candidates`);
        const walls: number[] = [];
        // Each drive's time split where the driver saw the inspection open and saw it done: the inspection,
        // and the rest of the cycle (launch to the second round, which opens every candidate's workflow,
        // then decision to the vote, each over the whole slate).
        const outside: number[] = [];
        const inspections: number[] = [];
        let id = '';
        for (let r = 0; r < repeats; r++) {
          id = await startCycle(benchDistrict(190 + k), String(2026 + r), size, 1);
          const marks: { inspectionSeen?: number; decisionSeen?: number } = {};
          const t0 = performance.now();
          await simulator.driveCycle(id, marks);
          const t1 = performance.now();
          const inspecting = marks.decisionSeen! - marks.inspectionSeen!;
          walls.push((t1 - t0) / 1000);
          inspections.push(inspecting / 1000);
          outside.push((t1 - t0 - inspecting) / 1000);
        }
        const wall = pct(walls, 50);
        const inspection = pct(inspections, 50);
        // Events and sizes: the last cycle's (the same acts each time).
        const others = (await workflowsOf(id)).filter((w) => w !== cycleWorkflowId(id));
        // Visibility lags the last run's close by a moment.
        let runs = await runsOf(client, cycleWorkflowId(id));
        for (let i = 0; i < 20 && runs.length === 0; i++)
          runs = await new Promise((r) => setTimeout(r, 500)).then(() => runsOf(client, cycleWorkflowId(id)));
        const cycleEvents = runs.reduce((n, r) => n + r.events, 0);
        const events = cycleEvents + (await historyEvents(client, others));
        rows.push({
          candidates: size,
          wallSeconds: round(wall, 1),
          ...(repeats > 1 ? { wallSecondsEach: walls.map((w) => round(w, 1)) } : {}),
          msPerCandidate: round((wall * 1000) / size, 0),
          outsideInspectionSeconds: round(pct(outside, 50), 2),
          inspectionSeconds: round(inspection, 2),
          inspectionMsPerCandidate: round((inspection * 1000) / size, 0),
          eventsPerCandidate: round(events / size, 1),
          cycleRuns: runs.length,
          cycleHistoryEvents: cycleEvents,
          cycleLongestRunEvents: Math.max(...runs.map((r) => r.events)),
          cycleHistoryKB: round(runs.reduce((n, r) => n + r.bytes, 0) / 1024, 0),
          cycleLargestRunKB: round(Math.max(...runs.map((r) => r.bytes)) / 1024, 0),
        });
        log(`   ${JSON.stringify(rows.at(-1))}`);
      }
      results.costPerCandidate = rows;
    }

    /** The API (and a bare route beside it) in a process of its own, as in production (bench/api-process.ts). */
    const apiProcess = () =>
      spawnApi(
        {
          TEMPORAL_ADDRESS: temporalServer.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          DATABASE_URL: databaseUrl,
          CODEC_KEYS: codecSpec,
          JWT_SECRET: AUTH.secret,
        },
        log,
        // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": where the API's time goes under load.
        (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
      );

    // ---- 7. reads under mixed load ----------------------------------------------------------------
    if (MEASURE.has(7)) {
      log(`7. reads under mixed load: ${MIXED_CYCLES} cycles in flight, 16 readers, worker cache ${MIXED_CACHE}`);
      const mixedId = (i: number) => [benchDistrict(i % 200), String(2100 + Math.floor(i / 200))];
      // The API (and the bare route beside it) in a process of its own, as in production: the 200
      // drivers and 16 readers here would otherwise share its event loop (the bare route's p50 was
      // 17 ms with them).
      const api = MIXED_API === 'own' ? await apiProcess() : undefined;
      const bareHere = api ? undefined : await serveBare();
      const apiUrl = api?.apiUrl ?? apiServer.url;
      const sim = api
        ? createSimulator({
            baseUrl: apiUrl,
            organizerToken: organizer,
            reviewerToken: reviewer,
            patienceMs: 600_000,
            departmentsInTurn: DEPARTMENTS_IN_TURN,
          })
        : simulator;
      try {
        // Drivers given up at the deadline would go on sending (and the worker's drain wait on them: a
        // run of 12-04 hung 9 min there): they are stopped before the worker is.
        results.mixedReads = await withWorkerProcess(MIXED_CACHE, () =>
          measureMixedReads({
            apiUrl,
            bareUrl: api?.bareUrl ?? bareHere!.url,
            apiProcess: MIXED_API,
            readersProcess: MIXED_READERS,
            cycles: MIXED_CYCLES,
            candidatesPerCycle: MIXED_CANDIDATES,
            readers: 16,
            workerCache: MIXED_CACHE,
            organizer,
            intake,
            startCycle: (i) => startCycle(mixedId(i)[0]!, mixedId(i)[1]!, MIXED_CANDIDATES, 1, sim),
            driveCycle: (id) => sim.driveCycle(id),
            driveSeconds: MIXED_DRIVE_SECONDS,
            failingWorkflows: () => failingWorkflows(client),
            driverNoAnswer: () => sim.noAnswer(),
            registerReport: async (i) => {
              const res = await sim.call('POST', '/v1/reports', intake, {
                channel: 'phone',
                category: 'voteBuying',
                text: '基准测试举报',
                receivedAt: new Date().toISOString(),
                target: { type: 'jurisdiction', jurisdictionId: benchDistrict(i % 200) },
              });
              if (res.status !== 201) throw new Error(`report ${i}: ${res.status} ${JSON.stringify(res.body)}`);
              return res.body.reportId as string;
            },
            log,
          })
            .then(async (r) => {
              // Cycles given up would go on in the next measurements' worker (the 12-05 14:00 run's starts
              // and memory ran beside 150 of them, tasks over 5 s): they end here, with their workflows.
              if (r.cyclesAbandoned > 0)
                log(`   ${await terminateRunning(client, /:B\d{4}:21\d\d\b/)} of its workflows ended`);
              return r;
            })
            .finally(() => {
              // Only a simulator of its own: the bench's shared one drives the measurements after this.
              if (sim !== simulator) sim.stop();
            }),
        );
      } finally {
        await api?.stop();
        if (bareHere) await new Promise((r) => bareHere.server.close(r));
      }
      log(`   ${JSON.stringify(results.mixedReads)}`);
    }

    // ---- 8. starts: the API against a bare workflow start -------------------------------------------
    if (MEASURE.has(8)) {
      log(`8. POST /v1/cycles vs a bare client.workflow.start, ${STARTS} each, 16 clients interleaved`);
      const stamp8 = Date.now();
      results.starts = await measureStarts({
        n: STARTS,
        clients: 16,
        postCycle: async (i) => {
          const jurisdictionId = benchDistrict(i % 200);
          const term = String(2200 + Math.floor(i / 200));
          // A day of an hour: nothing these cycles set fires while the bench runs.
          const body = { ...cycleBody(jurisdictionId, term, 1, 1), policy: quietPolicy(1) };
          const res = await simulator.call('POST', '/v1/cycles', organizer, body);
          if (res.status !== 201) throw new Error(`start ${jurisdictionId}:${term}: ${res.status}`);
        },
        bareStart: async (i) => {
          await client.workflow.start(pingWorkflow, {
            workflowId: pingWorkflowId(`bench-start-${stamp8}-${i}`),
            taskQueue,
            args: ['b'],
          });
        },
        log,
      });
      log(`   ${JSON.stringify(results.starts)}`);
    }

    // ---- 4. memory of open cycles, query latency on evicted workflows ---------------------------
    if (MEASURE.has(4)) {
      // Memory with every workflow held in the worker's cache (what open cycles cost a worker that
      // keeps them all), then query latency from a worker whose cache holds 100 (the rest replay).
      log(`4. ${OPEN_CYCLES} open cycles waiting on timers, all cached; then queries with the cache capped at 100`);
      w.worker.shutdown();
      await w.running;
      // The floor first: idle workflows on a worker of their own, at least 2,000 (a few hundred grow
      // RSS by less than its noise: 400 measured 0.014 MB each). That worker keeps them cached until
      // ours are measured, so no memory it frees is taken up again by ours and counted as nothing.
      const floorWorkflows = Number(process.env.BENCH_FLOOR_WORKFLOWS ?? Math.max(OPEN_CYCLES * 2, 2000));
      const idle = await Worker.create({
        connection,
        namespace: 'default',
        taskQueue: 'bench-idle',
        workflowsPath: new URL('./idle-workflow.ts', import.meta.url).pathname,
        maxCachedWorkflows: floorWorkflows + 10,
      });
      const idleRunning = idle.run();
      global.gc?.();
      const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
      const snapshot = async (name: string) => {
        if (snapshots)
          log(
            `   heap snapshot ${(await import('node:v8')).writeHeapSnapshot(join(snapshots, `${name}.heapsnapshot`))}`,
          );
      };
      await snapshot('floor-before');
      const floorBefore = process.memoryUsage();
      const stamp0 = Date.now();
      await load(floorWorkflows, 32, async (i) => {
        await client.workflow.start('idleWorkflow', {
          workflowId: `bench-idle-${stamp0}-${i}`,
          taskQueue: 'bench-idle',
        });
      });
      await waitForCount(
        'the idle workflows of the floor in its cache',
        () => idle.getStatus().numCachedWorkflows,
        floorWorkflows,
        15 * 60_000,
      );
      global.gc?.();
      const floorAfter = process.memoryUsage();
      await snapshot('floor-after');
      const floorPerWorkflowMB = round((mb(floorAfter.rss) - mb(floorBefore.rss)) / floorWorkflows, 3);

      // Measurement 4's cycles on a task queue of their own: on the bench's, the workflows earlier
      // measurements left running (supervision finishing its records) came into this worker's cache too,
      // 292 and 296 of them in the full runs of 12-06 (2,292 and 2,296 cached for 2,000 open), and their
      // memory was counted as ours.
      const openQueue = `${taskQueue}-open`;
      w = await startWorker(OPEN_CYCLES * 3, openQueue);
      global.gc?.();
      // With TEMPORAL_DEBUG=1 the workflows run in this thread: snapshots then show what each holds
      // (bench/repro/heap-diff.ts compares them).
      await snapshot('before');
      const before = process.memoryUsage();
      const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
      const openIds: string[] = [];
      await load(OPEN_CYCLES, 32, async (i) => {
        const cycleId = `${benchDistrict(i % 200)}:${4000 + Math.floor(i / 200)}`;
        openIds.push(cycleId);
        await client.workflow.start('cycleWorkflow', {
          workflowId: cycleWorkflowId(cycleId),
          taskQueue: openQueue,
          args: [
            {
              cycleId,
              jurisdiction: {
                id: benchDistrict(i % 200),
                name: '基准区',
                level: 'county',
                parentId: '440300',
              },
              term: cycleKeyFromId(cycleId).term,
              positions: [{ id: 'm', title: '委员', seats: 1 }],
              committees: { standing: 11, full: 31 },
              policy,
              startedBy: { id: 'bench', role: 'organizer' },
            },
          ],
        });
      });
      // Every cycle has recorded its start and its supervision child holds a checkpoint timer.
      await waitForCount(
        'the launch checkpoints of the open cycles',
        async () =>
          (
            await pool.query(
              `SELECT count(*)::int AS n FROM supervision_checkpoints WHERE cycle_id LIKE '${benchDistrict(0).slice(0, -4)}%:4%'`,
            )
          ).rows[0].n,
        OPEN_CYCLES,
        30 * 60_000,
      );
      global.gc?.();
      const after = process.memoryUsage();
      await snapshot('after');
      const cached = w.worker.getStatus().numCachedWorkflows;
      w.worker.shutdown();
      idle.shutdown();
      await Promise.all([w.running, idleRunning]);
      w = await startWorker(100, openQueue);
      const ask = (cycleId: string) =>
        client.workflow
          .getHandle(cycleWorkflowId(cycleId))
          .query(getStateQuery)
          .then(() => undefined);
      const measured = Array.from({ length: 200 }, (_, i) => openIds[(i * 7) % openIds.length]!);
      // A new worker's first queries also pay for its start (the workflow bundle's first context, code
      // not yet compiled): a running worker does not. 16 queries of other cycles first, counted apart.
      const others = openIds.filter((id) => !measured.includes(id));
      const warmUp = await load(Math.min(16, others.length), 8, (i) => ask(others[i]!));
      const queries = await load(measured.length, 8, (i) => ask(measured[i]!));
      // The rest of the run on the bench's queue again, with the cache of 100 it had before (12-06).
      w.worker.shutdown();
      await w.running;
      w = await startWorker(100);
      const perWorkflowMB = round((mb(after.rss) - mb(before.rss)) / (OPEN_CYCLES * 2), 3);
      results.openCycles = {
        cycles: OPEN_CYCLES,
        perCachedWorkflowMB: perWorkflowMB,
        floorPerCachedWorkflowMB: floorPerWorkflowMB,
        floorWorkflows,
        ratioToFloor: round(perWorkflowMB / floorPerWorkflowMB, 1),
        workflowsOpen: OPEN_CYCLES * 2,
        workflowsCached: cached,
        rssBeforeMB: mb(before.rss),
        rssAfterMB: mb(after.rss),
        rssPer1000CyclesMB: round((mb(after.rss) - mb(before.rss)) / (OPEN_CYCLES / 1000), 1),
        heapPer1000CyclesMB: round((mb(after.heapUsed) - mb(before.heapUsed)) / (OPEN_CYCLES / 1000), 1),
        evictedQueryMs: { p50: round(pct(queries.ms, 50)), p99: round(pct(queries.ms, 99)) },
        ...(warmUp.ms.length
          ? { newWorkerFirstQueriesMs: { p50: round(pct(warmUp.ms, 50)), max: round(Math.max(...warmUp.ms)) } }
          : {}),
        workflowCache: 100,
      };
      log(`   ${JSON.stringify(results.openCycles)}`);
    }

    // ---- 6. console pages, one user ---------------------------------------------------------------
    if (MEASURE.has(6)) {
      log('6. console pages, one user, one request at a time');
      const id = await startCycle(benchDistrict(199), '2026', 5, 2);
      await simulator.driveCycle(id);
      const personId = (await client.workflow.getHandle(cycleWorkflowId(id)).query(getStateQuery)).candidates[0]!
        .personId;
      const viewer = await signToken(AUTH, { sub: 'bench-viewer', roles: ['viewer'], scope: '440000' });
      results.consolePagesMs = await measureConsolePages(apiServer.url, [
        { name: 'overview', path: '/console', token: organizer },
        { name: 'cycle', path: `/console/cycles/${encodeURIComponent(id)}`, token: organizer },
        {
          name: 'dossier',
          path: `/console/cycles/${encodeURIComponent(id)}/candidates/${encodeURIComponent(personId)}`,
          token: organizer,
        },
        { name: 'inbox (all)', path: '/console/inbox?status=all', token: reviewer },
        { name: 'reports', path: '/console/reports', token: viewer },
        { name: 'ledger (7 days)', path: '/console/ledger', token: viewer },
      ]);
      log(`   ${JSON.stringify(results.consolePagesMs)}`);
    }

    // ---- 9. the scale soak ---------------------------------------------------------------------------
    if (MEASURE.has(9)) {
      log(
        `9. soak: ${SOAK_CYCLES} open cycles, worker cache ${SOAK_CACHE}, each supervision's timer at ${SOAK_TIMER_SECONDS} s`,
      );
      const soakId = (i: number) => [benchDistrict(i % 200), String(5000 + Math.floor(i / 200))];
      // The production worker in a process of its own, so its RSS is the worker's alone; the API in
      // one of its own too (since 12-04), so its reads do not share an event loop with the readers.
      const soakApi = await apiProcess();
      const soakSim = createSimulator({ baseUrl: soakApi.apiUrl, organizerToken: organizer, reviewerToken: reviewer });
      results.soak = await withWorkerProcess(SOAK_CACHE, (soakWorker) =>
        measureSoak({
          cycles: SOAK_CYCLES,
          timerSeconds: SOAK_TIMER_SECONDS,
          graceSeconds: SOAK_GRACE_SECONDS,
          reads: SOAK_READS,
          workerCache: SOAK_CACHE,
          maxBacklog: SOAK_MAX_BACKLOG,
          apiUrl: soakApi.apiUrl,
          bareUrl: soakApi.bareUrl,
          organizer,
          pool,
          cycleId: (i) => soakId(i).join(':'),
          postCycle: async (i, policy) => {
            const [jurisdictionId, term] = soakId(i) as [string, string];
            const body = { ...cycleBody(jurisdictionId, term, 1, 1), policy: { ...fullPolicy(1), ...policy } };
            // A busy API may answer 503 (Retry-After): tried again, as a person's client would.
            for (let attempt = 1; ; attempt++) {
              const res = await soakSim.call('POST', '/v1/cycles', organizer, body);
              if (res.status === 201) return;
              if (res.status !== 503 || attempt === 5)
                throw new Error(`soak start ${jurisdictionId}:${term}: ${res.status} ${JSON.stringify(res.body)}`);
              await new Promise((r) => setTimeout(r, 1000 * attempt));
            }
          },
          workerRssMB: soakWorker.rssMB,
          stickyCache: async () => {
            const text = await (await fetch(soakWorker.metricsUrl)).text();
            const sum = (name: string) =>
              [...text.matchAll(new RegExp(`^temporal_sticky_cache_${name}(?:_total)?(?:\\{[^}]*\\})? (\\d+)`, 'gm'))]
                .map((m) => Number(m[1]))
                .reduce((a, b) => a + b, 0);
            return { hits: sum('hit'), misses: sum('miss') };
          },
          workflowBacklog: async () => {
            const { stats } = await client.workflowService.describeTaskQueue({
              namespace: 'default',
              taskQueue: { name: taskQueue },
              taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
              reportStats: true,
            });
            return Number(stats?.approximateBacklogCount ?? 0);
          },
          supervisionTail: async (id) => {
            const history = await client.workflow.getHandle(supervisionWorkflowId(id)).fetchHistory();
            const types = (history.events ?? []).map(
              (e) => proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '?',
            );
            return {
              lastEvent: (types.at(-1) ?? 'none').replace(/^EVENT_TYPE_/, ''),
              taskTimeouts: types.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT').length,
              taskFailures: types.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_FAILED').length,
            };
          },
          log,
        }),
      ).finally(() => soakApi.stop());
      log(`   ${JSON.stringify(results.soak)}`);
    }

    // ---- 5. throughput on the production shape (same cycles as 1) -------------------------------
    if (MEASURE.has(5))
      results.clusterThroughput = await measureClusterThroughput({
        cycles,
        cycleBody: (jurisdictionId) => cycleBody(jurisdictionId, '2026', 5, 2),
        tree,
        load,
        log,
        departmentsInTurn: DEPARTMENTS_IN_TURN,
      });

    results.goals = goals(results);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(new URL(`./results/${stamp}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(new URL('./results/latest.md', import.meta.url), markdown(results));
    log(`written bench/results/${stamp}.json and bench/results/latest.md`);
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench: ${e.stack ?? e}`);
    process.exit(1);
  },
);

/** Terminates every running workflow whose id matches `ids`; answers how many. */
async function terminateRunning(client: Client, ids: RegExp): Promise<number> {
  const running: string[] = [];
  for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running'` }))
    if (ids.test(w.workflowId)) running.push(w.workflowId);
  await load(running.length, 16, async (i) => {
    // One that ended meanwhile is fine.
    await client.workflow
      .getHandle(running[i]!)
      .terminate('bench: given up by measurement 7')
      .catch(() => undefined);
  });
  return running.length;
}

/**
 * Running workflows whose latest workflow task failed, by type and cause (a non-determinism error
 * keeps failing: the workflow cannot advance until a fix is deployed).
 */
async function failingWorkflows(client: Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    const events = (await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory()).events ?? [];
    const lastFailed = events.map((e) => !!e.workflowTaskFailedEventAttributes).lastIndexOf(true);
    const lastCompleted = events.map((e) => !!e.workflowTaskCompletedEventAttributes).lastIndexOf(true);
    if (lastFailed < 0 || lastFailed < lastCompleted) continue;
    const failed = events[lastFailed]!.workflowTaskFailedEventAttributes!;
    const cause = /TMPRL1100/.test(failed.failure?.message ?? '') ? 'non-determinism' : String(failed.cause);
    const key = `${w.type} ${cause}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** A route that does nothing, served by this process: the bare baseline when the API runs here too. */
function serveBare() {
  return serveOn(bareApp().fetch);
}
