/**
 * Bench measurement 9 (issue 14, goal 5): the scale soak. M cycles are opened through the API on one
 * worker process whose cache holds far fewer (the caller sets it, 500 by default), each with its supervision
 * child. Their policy makes the launch checkpoint due one short compressed working day after it opens
 * (and its escalation 30 days later, beyond the soak), so every supervision workflow has one timer
 * that fires during the soak — almost always on a workflow that was evicted and must be replayed to
 * move. Measured: the worker process's RSS before, with all open, and after the timers fired; GET /v1/cycles/{id}
 * of random soak cycles by 16 readers from the moment all are open until every cycle moved — so
 * through the replay storm — with a bare Hono route beside the API read by the same readers (one turn
 * in eight) as the machine's own baseline; and whether every cycle moved (its checkpoint marked
 * overdue in PostgreSQL), with how late; every 30 s, how many were open and moved and how many workflow
 * tasks waited in the task queue; and, for cycles that never moved, what their supervision history
 * was waiting for. Bounded: it stops when all moved, or past the grace period after the last deadline
 * once none moved for a minute (at most three more grace periods).
 */
import type { Pool } from '../activities/db.js';
import { load, maxOf, pct, round, sleep, summarize, type LatencySummary } from './util.js';

interface Read {
  /** When it started (ms since the epoch). */
  at: number;
  ms: number;
}

export interface Soak {
  cycles: number;
  /** Of `cycles`, those whose POST was refused (they are left out of everything below). */
  startsFailed: number;
  workerCache: number;
  timerSeconds: number;
  /** Starts waited while more workflow tasks than this waited in the task queue (0: not paced). */
  maxBacklog: number;
  startSeconds: number;
  rssBeforeMB: number;
  rssAllOpenMB: number;
  rssAfterTimersMB: number;
  rssMaxMB: number;
  post: LatencySummary;
  /** GET latencies of every answer, from all open until all moved; those not 200, by status. */
  get: LatencySummary;
  getFailedByStatus: Record<string, number>;
  /** The same readers' GETs of a bare Hono route beside the API (one turn in eight): the machine's own share. */
  bare: LatencySummary;
  /** Of the above, the reads started once the first timer had fallen due (the storm). */
  getDuringTimers: LatencySummary;
  bareDuringTimers: LatencySummary;
  /** Seconds from the first start: when the readers read, and when the timers fell due. */
  readsSeconds: { from: number; to: number };
  deadlinesSeconds: { first: number; last: number };
  /** Cycles whose checkpoint was marked overdue by its timer, of `cycles`. */
  moved: number;
  /** How long after its deadline each checkpoint was marked overdue (s). */
  lateSeconds: { p50: number; p99: number; max: number };
  /**
   * Every 30 s from the first start (s since it): how many checkpoints were open and moved, and the
   * workflow tasks waiting in the task queue (Temporal's approximate backlog), and the worker's sticky
   * cache hits and misses so far (a miss is a replay from the full history) — late or stuck tells here.
   */
  progress: { s: number; open: number; moved: number; backlog: number; cacheHits: number; cacheMisses: number }[];
  /** The largest workflow-task backlog seen, sampled every 2 s. */
  backlogMax: number;
  /**
   * Up to 20 cycles that had not moved when the soak stopped: their supervision workflow's last event
   * (by type) and how many of their workflow tasks timed out or failed — what they were waiting for.
   */
  unmovedSample: { lastEvent: Record<string, number>; taskTimeouts: number; taskFailures: number; of: number };
}

/** What a supervision workflow's history says it waits for. */
export interface HistoryTail {
  lastEvent: string;
  taskTimeouts: number;
  taskFailures: number;
}

export async function measureSoak(o: {
  cycles: number;
  timerSeconds: number;
  graceSeconds: number;
  /** The fewest API reads taken, even if every cycle moved sooner. */
  reads: number;
  workerCache: number;
  apiUrl: string;
  /** The bare Hono route served beside the API, in its process (`<bareUrl>/bare`). */
  bareUrl: string;
  organizer: string;
  pool: Pool;
  /** The id of soak cycle `i` (the caller's jurisdictions and terms). */
  cycleId: (i: number) => string;
  /** POST /v1/cycles for soak cycle `i` with the policy given; throws unless 201. */
  postCycle: (i: number, policy: Record<string, unknown>) => Promise<void>;
  /** The worker process's resident set size now (MB). */
  workerRssMB: () => number;
  /** The worker's sticky cache hits and misses so far (its SDK metrics). */
  stickyCache: () => Promise<{ hits: number; misses: number }>;
  /** Starts wait while more workflow tasks than this wait in the task queue (0: as fast as the API takes them). */
  maxBacklog: number;
  /** Workflow tasks waiting in the task queue now (Temporal's approximate backlog). */
  workflowBacklog: () => Promise<number>;
  /** The tail of soak cycle `cycleId`'s supervision workflow history. */
  supervisionTail: (cycleId: string) => Promise<HistoryTail>;
  log: (line: string) => void;
}): Promise<Soak> {
  const policy = {
    calendar: { kind: 'compressed', secondsPerWorkingDay: o.timerSeconds },
    supervision: { checkpointWorkingDays: 1, escalateAfterWorkingDays: 30 },
  };
  /** The cycles whose start was accepted; a refused start is counted, not fatal to an hour's soak. */
  const ids: string[] = [];
  const startErrors: string[] = [];
  let rssMax = 0;
  const sample = () => {
    const x = o.workerRssMB();
    rssMax = Math.max(rssMax, x);
    return x;
  };
  const sampler = setInterval(sample, 1000);
  let watching = false;
  let stopWatching = async () => {};
  try {
    const rssBeforeMB = sample();
    const startedAt = Date.now();
    const counted = async (where: string) =>
      (
        await o.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM supervision_checkpoints WHERE phase = 'launch' AND cycle_id = ANY($1::text[]) AND ${where}`,
          [ids],
        )
      ).rows[0]!.n;
    const progress: Soak['progress'] = [];
    let backlogMax = 0;
    let backlogNow = 0;
    let nextProgressAt = startedAt;
    /** Samples the backlog and, every 30 s, open / moved / backlog / the worker's cache. */
    const watch = async () => {
      backlogNow = await o.workflowBacklog().catch(() => -1);
      backlogMax = Math.max(backlogMax, backlogNow);
      if (Date.now() < nextProgressAt) return;
      nextProgressAt += 30_000;
      const [open, movedNow, cache] = await Promise.all([
        counted('true'),
        counted('overdue_at IS NOT NULL'),
        o.stickyCache().catch(() => ({ hits: -1, misses: -1 })),
      ]);
      progress.push({
        s: Math.round((Date.now() - startedAt) / 1000),
        open,
        moved: movedNow,
        backlog: backlogNow,
        cacheHits: cache.hits,
        cacheMisses: cache.misses,
      });
    };
    watching = true;
    const watcher = (async () => {
      while (watching) {
        await watch();
        await sleep(1000);
      }
    })();
    stopWatching = () => {
      watching = false;
      return watcher;
    };
    const t0 = performance.now();
    let started = 0;
    // The POST alone is timed: the pacing wait before it is not the API's.
    const postMs: number[] = [];
    await load(o.cycles, 32, async (i) => {
      // Opened no faster than the worker takes them (as a campaign's window does): a burst beyond it
      // fills the task queue, and a backlog fed into a cache smaller than the cycles in flight turns
      // every workflow task into a replay from the full history (README, measurement 9).
      while (o.maxBacklog > 0 && backlogNow > o.maxBacklog) await sleep(250);
      const t = performance.now();
      try {
        await o.postCycle(i, policy);
        postMs.push(performance.now() - t);
        ids.push(o.cycleId(i));
      } catch (e) {
        startErrors.push((e as Error).message);
      }
      if (++started % 1000 === 0) o.log(`   ${started} started`);
    });
    const startSeconds = (performance.now() - t0) / 1000;
    for (const e of startErrors.slice(0, 3)) o.log(`   a soak cycle did not start: ${e}`);
    // Every supervision child has opened its checkpoint (its timer set) before "all open" is measured.
    const openBy = Date.now() + (o.timerSeconds + o.graceSeconds) * 1000;
    while ((await counted('true')) < ids.length && Date.now() < openBy) await sleep(2000);
    const rssAllOpenMB = sample();
    o.log(`   ${ids.length} open after ${round(startSeconds, 0)} s; reading while their timers fire`);

    const deadlines = (
      await o.pool.query<{ first: Date | null; last: Date | null }>(
        `SELECT min(deadline) AS first, max(deadline) AS last FROM supervision_checkpoints
         WHERE phase = 'launch' AND cycle_id = ANY($1::text[])`,
        [ids],
      )
    ).rows[0];
    const firstDeadline = deadlines?.first?.getTime() ?? Date.now();
    const giveUpAt = (deadlines?.last?.getTime() ?? Date.now()) + o.graceSeconds * 1000;

    // 16 readers until every cycle moved (at least `reads` API reads): of every eight turns, seven read a
    // random soak cycle and one the bare route, so the two are taken under the same load.
    const failedReads: Record<string, number> = {};
    const reads = { get: [] as Read[], bare: [] as Read[] };
    let stop = false;
    let turn = 0;
    const readsFrom = Date.now();
    const readers = Array.from({ length: 16 }, async () => {
      while (!stop || reads.get.length < o.reads) {
        const i = turn++;
        const bare = i % 8 === 7;
        const at = Date.now();
        const t = performance.now();
        let status: string;
        try {
          const url = bare ? `${o.bareUrl}/bare` : `${o.apiUrl}/v1/cycles/${ids[(i * 7919) % ids.length]}`;
          const res = await fetch(url, { headers: bare ? {} : { authorization: `Bearer ${o.organizer}` } });
          await res.arrayBuffer();
          status = String(res.status);
        } catch {
          // A refused connection is counted, not fatal to an hour's soak.
          status = 'no answer';
        }
        (bare ? reads.bare : reads.get).push({ at, ms: performance.now() - t });
        if (status !== '200') failedReads[status] = (failedReads[status] ?? 0) + 1;
      }
    });
    let moved = 0;
    try {
      // Past the grace period it waits on while cycles still move (late is not stuck), up to three
      // more grace periods; it stops once none moved for a minute.
      const hardStop = giveUpAt + 3 * o.graceSeconds * 1000;
      let lastMoved = -1;
      let lastProgressAt = Date.now();
      for (;;) {
        moved = await counted('overdue_at IS NOT NULL');
        if (moved !== lastMoved) [lastMoved, lastProgressAt] = [moved, Date.now()];
        const now = Date.now();
        if (moved >= ids.length || now > hardStop || (now > giveUpAt && now - lastProgressAt > 60_000)) break;
        await sleep(2000);
      }
    } finally {
      stop = true;
      await Promise.all(readers);
    }
    const readsTo = Date.now();
    const during = (rs: Read[]) => rs.filter((r) => r.at >= firstDeadline).map((r) => r.ms);
    const sinceStart = (ms: number) => round((ms - startedAt) / 1000, 0);
    const late = (
      await o.pool.query<{ s: number }>(
        `SELECT extract(epoch FROM overdue_at - deadline)::float8 AS s FROM supervision_checkpoints
         WHERE phase = 'launch' AND cycle_id = ANY($1::text[]) AND overdue_at IS NOT NULL`,
        [ids],
      )
    ).rows.map((r) => r.s);
    await stopWatching();
    // What the cycles that did not move were waiting for, from their supervision histories.
    const unmoved = (
      await o.pool.query<{ id: string }>(
        `SELECT c.id FROM unnest($1::text[]) AS c(id) WHERE NOT EXISTS (SELECT 1 FROM supervision_checkpoints s
           WHERE s.phase = 'launch' AND s.cycle_id = c.id AND s.overdue_at IS NOT NULL) ORDER BY random() LIMIT 20`,
        [ids],
      )
    ).rows.map((r) => r.id);
    const tails = await Promise.all(
      unmoved.map((id) =>
        o
          .supervisionTail(id)
          .catch((e: Error) => ({ lastEvent: `unreadable: ${e.name}`, taskTimeouts: 0, taskFailures: 0 })),
      ),
    );
    const unmovedSample: Soak['unmovedSample'] = { lastEvent: {}, taskTimeouts: 0, taskFailures: 0, of: tails.length };
    for (const t of tails) {
      unmovedSample.lastEvent[t.lastEvent] = (unmovedSample.lastEvent[t.lastEvent] ?? 0) + 1;
      unmovedSample.taskTimeouts += t.taskTimeouts;
      unmovedSample.taskFailures += t.taskFailures;
    }
    return {
      cycles: o.cycles,
      startsFailed: startErrors.length,
      workerCache: o.workerCache,
      timerSeconds: o.timerSeconds,
      maxBacklog: o.maxBacklog,
      startSeconds: round(startSeconds, 0),
      rssBeforeMB,
      rssAllOpenMB,
      rssAfterTimersMB: sample(),
      rssMaxMB: rssMax,
      post: summarize(postMs),
      get: summarize(reads.get.map((r) => r.ms)),
      getFailedByStatus: failedReads,
      bare: summarize(reads.bare.map((r) => r.ms)),
      getDuringTimers: summarize(during(reads.get)),
      bareDuringTimers: summarize(during(reads.bare)),
      readsSeconds: { from: sinceStart(readsFrom), to: sinceStart(readsTo) },
      deadlinesSeconds: { first: sinceStart(firstDeadline), last: sinceStart(giveUpAt - o.graceSeconds * 1000) },
      moved,
      lateSeconds: {
        p50: round(pct(late, 50), 1),
        p99: round(pct(late, 99), 1),
        max: round(maxOf(late), 1),
      },
      progress,
      backlogMax,
      unmovedSample,
    };
  } finally {
    clearInterval(sampler);
    await stopWatching();
  }
}
