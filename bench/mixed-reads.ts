/**
 * Bench measurement 7 (issue 14, goal 3): reads under mixed load. N cycles are driven through the
 * API all at once (the simulator plays every person), while 16 readers GET a random in-flight
 * cycle, one of its candidates or a report — against a worker (a process of its own, as in
 * production) whose cache the caller has set to 100, so a read that waited on a workflow query would
 * wait on a replay; reads answer from PostgreSQL instead. The same readers also hit a bare
 * Hono route served by the API's process (bench/api-process.ts), so the ratio compares both under the
 * same load on the same event loop. The readers run in a process of their own (bench/readers.ts), so
 * a read's clock does not count the drivers' work on the bench's event loop. Goal: API read p99 ≤ 2×
 * the bare route's, and no read over 1 s.
 */
import { readFileSync } from 'node:fs';
import { spawnReaders } from './processes.js';
import { runReaders, type ReadersConfig, type SlowRead } from './readers.js';
import { load, round, summarize, type LatencySummary } from './util.js';

export interface MixedReads {
  cyclesInFlight: number;
  candidatesPerCycle: number;
  readers: number;
  workerCache: number;
  /** Where the API ran (runs before 12-04 ran it in the bench process, beside the drivers and readers). */
  apiProcess?: 'bench' | 'own';
  /**
   * Where the readers ran: since 12-05 evening a process of their own (the people reading are not the
   * ones acting); before, the bench process, where a read's clock also counted the drivers' work.
   */
  readersProcess?: 'bench' | 'own';
  wallSeconds: number;
  /** GET /v1/cycles/{id} of an in-flight cycle. */
  cycle: LatencySummary;
  /**
   * GET …/candidates/{personId}, answers 200 only: before its recommendation a candidate is a quick
   * 404, and while its inspection opens a quick 503 NOT_READY (409 before 00ce6da; counted in `candidateNotYet`).
   */
  candidate: LatencySummary;
  /** GET /v1/reports/{id} of an open report. */
  report: LatencySummary;
  /** All three together: what the goal is judged on. */
  apiReads: LatencySummary;
  /** The bare Hono route, same readers, same moment. */
  bareHono: LatencySummary;
  ratioP99ToBare: number;
  /** Cycles the simulator could not drive to their close (their reads still count while they ran). */
  cyclesNotClosed: number;
  /** Of those, still being driven when the drive deadline came (BENCH_MIXED_DRIVE_SECONDS). */
  cyclesAbandoned: number;
  /** Running workflows whose workflow task fails, by type and failure cause, once the drive ended. */
  failingWorkflows?: Record<string, number>;
  /** Candidate reads answered 404 or NOT_READY (503, 409 before 00ce6da): not yet recommended, or inspection opening. */
  candidateNotYet: number;
  /** Reads answered with anything else but 200, by kind and status ("cycle 503"; by status alone before 12-06 evening). */
  failedReads: number;
  failedByStatus: Record<string, number>;
  /**
   * Reads (and inputs' waits for their cycle) that asked a workflow because its projection was
   * missing or stale, by `kind/reason` — the API's huanjie_reads_from_workflow_total over the run.
   */
  readsFromWorkflow: Record<string, number>;
  /** Drivers' requests that got no answer at all (retried with the same key), by cause. */
  driverNoAnswer: Record<string, number>;
  /**
   * Every API read over 1 s and every bare read over 500 ms: when it started (seconds into the
   * drive), what it read, how long it took. Slow reads bunched at one moment with slow bare reads
   * beside them point at a stall of the machine or of the API's process; slow API reads alone, at
   * what the API waits on (the database).
   */
  slowReads?: SlowRead[];
  /** The readers' event loop's longest delay, first 10 s and whole drive (since 12-06). */
  readersLoopDelayMaxMs?: { first10s: number; drive: number };
  /**
   * The kernel's TCP counters (/proc/net/netstat TcpExt, since 12-06) that move when a connection has
   * to wait to be set up — a SYN dropped and sent again, a full accept or SYN queue — over the drive's
   * first 10 s and over the whole drive: the slow reads of the first seconds came on fresh connections.
   */
  tcp?: { first10s: Record<string, number>; drive: Record<string, number> };
  /**
   * The API process's own account (bench/api-process.ts `/stats`): event-loop delay, the longest queue
   * for one of the inputs' connections and for one of the reads' (runs before 12-04 09:00: one pool).
   */
  apiWaits?: {
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
    poolWaitingMax: number;
    readPoolWaitingMax?: number;
    /** GETs (readers' and drivers') that took over 1 s inside the API's process, and the longest (since 12-05). */
    getsInsideOver1s?: number;
    getInsideMaxMs?: number;
  };
}

const TCP_COUNTERS = [
  'TCPSynRetrans',
  'ListenOverflows',
  'ListenDrops',
  'TCPReqQFullDrop',
  'TCPReqQFullDoCookies',
  'SyncookiesSent',
  'TCPTimeouts',
  'TCPBacklogDrop',
];

/** The TcpExt counters above, now (Linux; {} elsewhere). */
function tcpCounters(): Record<string, number> {
  let text: string;
  try {
    text = readFileSync('/proc/net/netstat', 'utf8');
  } catch {
    return {};
  }
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return {};
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(TCP_COUNTERS.map((n) => [n, values[names.indexOf(n)] ?? NaN]));
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

/** The API's count of reads that asked a workflow, by `kind/reason` (api/app.ts). */
async function readsFromWorkflow(apiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^huanjie_reads_from_workflow_total\{kind="(\w+)",reason="(\w+)"\} (\d+)/gm))
    counts[`${m[1]}/${m[2]}`] = Number(m[3]);
  return counts;
}

export async function measureMixedReads(o: {
  apiUrl: string;
  /** A route that does nothing, served beside the API (same process, same event loop). */
  bareUrl: string;
  /** Where the API runs: `bench` (this process, with the drivers and readers) or `own` (a process of its own). */
  apiProcess: 'bench' | 'own';
  /** Where the readers run: `bench` (this process, beside the drivers) or `own` (bench/readers-process.ts). */
  readersProcess: 'bench' | 'own';
  cycles: number;
  candidatesPerCycle: number;
  readers: number;
  workerCache: number;
  organizer: string;
  intake: string;
  /** Starts cycle `i` of this measurement through the API and returns its id. */
  startCycle: (i: number) => Promise<string>;
  driveCycle: (cycleId: string) => Promise<unknown>;
  /** Registers report `i` through the API and returns its id. */
  registerReport: (i: number) => Promise<string>;
  /** After this many seconds of driving, cycles still in flight are given up (counted, not awaited). */
  driveSeconds: number;
  /** Counts running workflows whose workflow task keeps failing (asked only when cycles were given up). */
  failingWorkflows: () => Promise<Record<string, number>>;
  /** The drivers' requests that got no answer so far, by cause. */
  driverNoAnswer: () => Record<string, number>;
  log: (line: string) => void;
}): Promise<MixedReads> {
  const askedBefore = await readsFromWorkflow(o.apiUrl);
  const ids: string[] = [];
  await load(o.cycles, 16, async (i) => {
    ids[i] = await o.startCycle(i);
  });
  const reports: string[] = [];
  for (let i = 0; i < 16; i++) reports.push(await o.registerReport(i));
  o.log(
    `   ${ids.length} cycles started, ${reports.length} reports registered; driving all at once, ${o.readers} readers`,
  );

  // Readers pick among the cycles still being driven: a closed cycle answers from PostgreSQL and
  // would flatter the tail the goal is about.
  const inFlight = new Set(ids);
  const driveErrors: string[] = [];
  const config: ReadersConfig = {
    apiUrl: o.apiUrl,
    bareUrl: o.bareUrl,
    organizer: o.organizer,
    intake: o.intake,
    reports,
    candidatesPerCycle: o.candidatesPerCycle,
    readers: o.readers,
  };
  const apart = o.readersProcess === 'own' ? await spawnReaders(o.log) : undefined;
  const tcpBefore = tcpCounters();
  let tcpAt10s: Record<string, number> | undefined;
  const tcpTimer = setTimeout(() => (tcpAt10s = tcpCounters()), 10_000);
  const t0 = performance.now();
  const reading = apart?.start(config, ids);
  const drivers = Promise.all(
    ids.map((id) =>
      o
        .driveCycle(id)
        .catch((e: Error) => void driveErrors.push(`${id}: ${e.message}`))
        .finally(() => {
          inFlight.delete(id);
          reading?.closed(id);
        }),
    ),
  );
  const readersHere = reading ? undefined : runReaders(config, inFlight, t0);
  // A cycle whose workflow cannot advance (a task failing for good) would keep its driver, and the
  // readers, going forever: past the deadline the rest are given up and counted.
  let deadline: NodeJS.Timeout | undefined;
  const givenUp = new Promise<number>((resolve) => {
    deadline = setTimeout(() => {
      const left = inFlight.size;
      inFlight.clear();
      resolve(left);
    }, o.driveSeconds * 1000);
  });
  const cyclesAbandoned = await Promise.race([drivers.then(() => 0), givenUp]);
  clearTimeout(deadline);
  clearTimeout(tcpTimer);
  const tcpAfter = tcpCounters();
  const times = reading ? await reading.stop() : await readersHere!;
  for (const e of driveErrors.slice(0, 3)) o.log(`   a cycle could not be driven to its close: ${e}`);
  const failingWorkflows = cyclesAbandoned > 0 ? await o.failingWorkflows() : undefined;
  if (cyclesAbandoned > 0)
    o.log(
      `   ${cyclesAbandoned} cycles given up after ${o.driveSeconds} s; failing: ${JSON.stringify(failingWorkflows)}`,
    );
  const wall = (performance.now() - t0) / 1000;
  const askedAfter = await readsFromWorkflow(o.apiUrl);
  const asked = Object.fromEntries(Object.entries(askedAfter).map(([k, n]) => [k, n - (askedBefore[k] ?? 0)] as const));
  const apiReads = summarize([...times.cycle, ...times.candidate, ...times.report]);
  const bareHono = summarize(times.bare);
  return {
    cyclesInFlight: ids.length,
    candidatesPerCycle: o.candidatesPerCycle,
    readers: o.readers,
    workerCache: o.workerCache,
    apiProcess: o.apiProcess,
    readersProcess: o.readersProcess,
    wallSeconds: round(wall, 1),
    cycle: summarize(times.cycle),
    candidate: summarize(times.candidate),
    report: summarize(times.report),
    apiReads,
    bareHono,
    ratioP99ToBare: round(apiReads.p99 / bareHono.p99, 1),
    cyclesNotClosed: driveErrors.length + cyclesAbandoned,
    cyclesAbandoned,
    ...(failingWorkflows ? { failingWorkflows } : {}),
    candidateNotYet: times.candidateNotYet,
    failedReads: times.failedReads,
    failedByStatus: times.failedByStatus,
    readsFromWorkflow: asked,
    driverNoAnswer: o.driverNoAnswer(),
    slowReads: times.slowReads,
    ...(times.loopDelayMaxMs ? { readersLoopDelayMaxMs: times.loopDelayMaxMs } : {}),
    tcp: { first10s: delta(tcpAt10s ?? tcpAfter, tcpBefore), drive: delta(tcpAfter, tcpBefore) },
    ...(o.apiProcess === 'own'
      ? { apiWaits: (await (await fetch(`${o.bareUrl}/stats`)).json()) as NonNullable<MixedReads['apiWaits']> }
      : {}),
  };
}
