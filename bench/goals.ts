/**
 * Issue 14's goals judged from one run's results: one row per goal with what was measured, the
 * target and whether it was met. A goal whose measurement was not run says so instead of passing.
 */
import { round } from './util.js';

export interface GoalRow {
  goal: string;
  measured: string;
  target: string;
  met: boolean | undefined;
}

/** Temporal's default warnings for one run's history (limit.historyCount.warn, limit.historySize.warn). */
const HISTORY_EVENTS_WARN = 10_240;
const HISTORY_KB_WARN = 10 * 1024;

/** Largest relative distance of any value from the median of all of them (0.1 = ±10 %). */
const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return Math.max(...xs.map((x) => Math.abs(x / median - 1)));
};

export function goals(r: Record<string, any>): GoalRow[] {
  const rows: GoalRow[] = [];
  const add = (goal: string, target: string, m: { measured: string; met: boolean } | undefined) =>
    rows.push({ goal, target, measured: m?.measured ?? 'not run', met: m?.met });

  const o = r.openCycles;
  add(
    '1. RSS per cached workflow (open cycles with supervision)',
    '≤ 0.3 MB',
    o && {
      // At a few dozen workflows the floor drowns in the noise of RSS (it can even come out negative).
      measured:
        o.floorPerCachedWorkflowMB > 0
          ? `${o.perCachedWorkflowMB} MB (${o.ratioToFloor}× the floor, ${o.floorPerCachedWorkflowMB} MB)`
          : `${o.perCachedWorkflowMB} MB (floor below RSS noise at this size)`,
      met: o.perCachedWorkflowMB <= 0.3,
    },
  );
  const t = r.throughput;
  add(
    '2. history events per candidate (all workflows of a cycle)',
    '≤ 100',
    t && { measured: String(t.eventsPerCandidate), met: t.eventsPerCandidate <= 100 },
  );
  add(
    "2. trivial workflows per full cycle, cycles 3 at a time (one organizer's pace)",
    '≤ 50×',
    t && { measured: `${t.ratioTrivialToCycle}×`, met: t.ratioTrivialToCycle <= 50 },
  );
  add(
    '2. trivial workflows per full cycle, both 30 at a time (capacity)',
    '≤ 50×',
    t?.ratioAtEqualConcurrency !== undefined
      ? { measured: `${t.ratioAtEqualConcurrency}×`, met: t.ratioAtEqualConcurrency <= 50 }
      : undefined,
  );
  const m = r.mixedReads;
  add(
    `3. GET p99 ÷ bare Hono p99, ${m?.cyclesInFlight ?? 'N'} cycles in flight, cache ${m?.workerCache ?? 100}`,
    '≤ 2×',
    m && {
      measured: `${m.ratioP99ToBare}× (${m.apiReads.p99} / ${m.bareHono.p99} ms)`,
      met: m.ratioP99ToBare <= 2,
    },
  );
  add(
    '3. reads over 1 s under that load',
    '0',
    m && {
      measured: `${m.apiReads.over1s} of ${m.apiReads.n} (max ${m.apiReads.max} ms)`,
      met: m.apiReads.over1s === 0,
    },
  );
  const s = r.starts;
  add(
    '4. POST /v1/cycles p99 ÷ bare client.workflow.start p99',
    '≤ 2×',
    s && {
      measured: `${s.ratioP99}× (${s.postCycle.p99} / ${s.bareWorkflowStart.p99} ms)`,
      met: s.ratioP99 <= 2,
    },
  );
  const k = r.soak;
  add(
    `5. soak: worker process RSS, ${k?.cycles ?? 'M'} open cycles, cache ${k?.workerCache ?? 500}`,
    '≤ 1024 MB',
    k && { measured: `${k.rssMaxMB} MB at most (${k.rssBeforeMB} before)`, met: k.rssMaxMB <= 1024 },
  );
  add(
    '5. soak: cycles that moved when their timer fired',
    'all',
    k && {
      measured: `${k.moved} of ${k.cycles}${k.startsFailed ? ` (${k.startsFailed} not started)` : ''} (late p99 ${k.lateSeconds.p99} s)`,
      met: k.moved === k.cycles,
    },
  );
  add(
    '5. soak: GET /v1/cycles/{id} p99, from all open until all moved',
    '≤ 100 ms',
    k && {
      // The bare route beside the API, read by the same readers at the same moments: the machine's own share.
      measured: `${k.get.p99} ms${k.bare ? ` (bare route ${k.bare.p99} ms)` : ''}`,
      met: k.get.p99 <= 100,
    },
  );
  const c: any[] | undefined = r.costPerCandidate;
  const flat = c && c.length > 1;
  add(
    `6. ms per candidate flat over ${c?.map((x) => x.candidates).join(', ') ?? 'the sizes'}`,
    '±20 % of the median',
    flat
      ? {
          // The goal counts the whole wall; the split beside it says which part is not flat.
          measured: `±${round(spread(c.map((x) => x.msPerCandidate)) * 100, 0)} % (${c.map((x) => x.msPerCandidate).join(' / ')})${
            c.every((x) => x.inspectionMsPerCandidate !== undefined)
              ? `; the inspection alone ±${round(spread(c.map((x) => x.inspectionMsPerCandidate)) * 100, 0)} % (${c.map((x) => x.inspectionMsPerCandidate).join(' / ')}), the rest of the cycle ${c.map((x) => x.outsideInspectionSeconds).join(' / ')} s`
              : ''
          }`,
          met: spread(c.map((x) => x.msPerCandidate)) <= 0.2,
        }
      : undefined,
  );
  add(
    '6. events per candidate flat over the same sizes',
    '±20 % of the median',
    flat
      ? {
          measured: `±${round(spread(c.map((x) => x.eventsPerCandidate)) * 100, 0)} % (${c.map((x) => x.eventsPerCandidate).join(' / ')})`,
          met: spread(c.map((x) => x.eventsPerCandidate)) <= 0.2,
        }
      : undefined,
  );
  const largest = c?.reduce((a, b) => (b.candidates > a.candidates ? b : a));
  add(
    `6. largest cycle (${largest?.candidates ?? '1000'} candidates) under Temporal's history warnings`,
    `< ${HISTORY_EVENTS_WARN} events and < ${HISTORY_KB_WARN / 1024} MB per run`,
    largest && {
      measured: `${largest.cycleLongestRunEvents} events, ${largest.cycleLargestRunKB} KB`,
      met: largest.cycleLongestRunEvents < HISTORY_EVENTS_WARN && largest.cycleLargestRunKB < HISTORY_KB_WARN,
    },
  );
  add(
    `6. query on evicted cycles p99 (cache ${o?.workflowCache ?? 100})`,
    '≤ 500 ms',
    o && { measured: `${o.evictedQueryMs.p99} ms`, met: o.evictedQueryMs.p99 <= 500 },
  );
  return rows;
}

export function goalsMarkdown(r: Record<string, any>): string[] {
  return [
    '| issue 14 goal | measured | target | |',
    '|---|---|---|---|',
    ...goals(r).map(
      (g) => `| ${g.goal} | ${g.measured} | ${g.target} | ${g.met === undefined ? '—' : g.met ? 'met' : 'missed'} |`,
    ),
    '',
  ];
}
