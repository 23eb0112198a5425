/**
 * bench/results/latest.md from a run's results: issue 14's goals table, then each measurement's own.
 * Used by bench/run.ts at the end of a run, and by bench/render.ts to write it again from a run file.
 */
import { goalsMarkdown } from './goals.js';

export function markdown(r: Record<string, any>): string {
  const t = r.throughput;
  const c = r.clusterThroughput;
  const a = r.apiLatencyMs;
  const o = r.openCycles;
  const lines = [
    `Measured ${r.at} on ${r.cpus} cores, Node ${r.node}; one run, one machine (ratios compare, absolute numbers do not).${r.calendar === 'kept' ? ' Cycles on the kept calendar (BENCH_CALENDAR=kept: answered in time, not late).' : ''}${r.workflowTaskSlots ? ` Workers took ${r.workflowTaskSlots} workflow tasks at once.` : ''}`,
    '',
    ...goalsMarkdown(r),
    ...(t
      ? [
          `| 1. throughput | dev server | ${c ? `cluster (${c.historyShards} shards, ${c.workers} workers)` : 'cluster (not run)'} |`,
          '|---|---|---|',
          `| full cycles / s (10 candidates × 7 departments, via the API) | ${t.cyclesPerSecond} | ${c?.cyclesPerSecond ?? '—'} |`,
          `| trivial one-activity workflows / s | ${t.trivialWorkflowsPerSecond}${t.trivialWorkflowsPerSecondEach ? ` (median of ${t.trivialWorkflowsPerSecondEach.join(', ')})` : ''} | ${c?.trivialWorkflowsPerSecond ?? '—'} |`,
          `| trivial workflows per full cycle | ${t.ratioTrivialToCycle} | ${c?.ratioTrivialToCycle ?? '—'} |`,
          ...(t.ratioActsFloor !== undefined
            ? [
                `| trivial workflows per full cycle, 30 at a time | ${t.ratioAtEqualConcurrency} | |`,
                `| the floor: a cycle's acts alone (11 workflows, 108 no-op Updates), 30 at a time: per second; trivial per one | ${t.actsFloorPerSecond30AtATime}; ${t.ratioActsFloor} | |`,
              ]
            : []),
          `| history events per cycle (cycle + supervision + candidates) | ${t.eventsPerCycle} | |`,
          `| history events per candidate | ${t.eventsPerCandidate} | |`,
          '',
          ...(t.cpu ? cpuRows(t.cpu) : []),
        ]
      : []),
    ...(a
      ? [
          '| 2. API latency (16 clients) | p50 ms | p99 ms | req/s |',
          '|---|---|---|---|',
          ...Object.entries(a).map(([k, v]: [string, any]) => `| ${k} | ${v.p50} | ${v.p99} | ${v.perSecond} |`),
          '',
        ]
      : []),
    ...(r.costPerCandidate
      ? [
          '| 3. candidates in one cycle | wall s | ms / candidate | of it: outside the inspection s; the inspection ms / candidate | events / candidate (all workflows) | cycle runs | cycle events (all runs / longest run) | cycle KB (all runs / largest run) |',
          '|---|---|---|---|---|---|---|---|',
          ...r.costPerCandidate.map(
            (x: any) =>
              `| ${x.candidates} | ${x.wallSeconds}${x.wallSecondsEach ? ` (median of ${x.wallSecondsEach.join(', ')})` : ''} | ${x.msPerCandidate} | ${x.outsideInspectionSeconds ?? '–'}; ${x.inspectionMsPerCandidate ?? '–'} | ${x.eventsPerCandidate} | ${x.cycleRuns} | ${x.cycleHistoryEvents} / ${x.cycleLongestRunEvents} | ${x.cycleHistoryKB} / ${x.cycleLargestRunKB} |`,
          ),
          '',
        ]
      : []),
    ...(o
      ? [
          '| 4. open cycles | value |',
          '|---|---|',
          `| cycles open (each with its supervision child on a timer) | ${o.cycles} |`,
          `| workflows in the worker's cache | ${o.workflowsCached} |`,
          `| process RSS before → after (MB) | ${o.rssBeforeMB} → ${o.rssAfterMB} |`,
          `| RSS per 1,000 open cycles (MB) | ${o.rssPer1000CyclesMB} |`,
          `| RSS per cached workflow (MB) | ${o.perCachedWorkflowMB} |`,
          `| floor: RSS per cached idle one-timer workflow, same SDK (MB) | ${o.floorPerCachedWorkflowMB} |`,
          `| ours ÷ floor | ${o.ratioToFloor}× |`,
          `| JS heap per 1,000 open cycles, after GC (MB) | ${o.heapPer1000CyclesMB} |`,
          `| query on evicted cycles, cache ${o.workflowCache} (p50 / p99 ms) | ${o.evictedQueryMs.p50} / ${o.evictedQueryMs.p99} |`,
          ...(o.newWorkerFirstQueriesMs
            ? [
                `| before those: a new worker's first 16 queries (p50 / max ms) | ${o.newWorkerFirstQueriesMs.p50} / ${o.newWorkerFirstQueriesMs.max} |`,
              ]
            : []),
          '',
        ]
      : []),
    ...(r.mixedReads
      ? [
          `| 7. reads, ${r.mixedReads.cyclesInFlight} cycles in flight (${r.mixedReads.candidatesPerCycle} candidates each), ${r.mixedReads.readers} readers, worker cache ${r.mixedReads.workerCache}, ${r.mixedReads.wallSeconds} s | reads | p50 ms | p99 ms | max ms | over 1 s |`,
          '|---|---|---|---|---|---|',
          ...(['cycle', 'candidate', 'report', 'apiReads', 'bareHono'] as const).map((k) => {
            const v = r.mixedReads[k];
            return `| ${{ cycle: 'GET /v1/cycles/{id}', candidate: 'GET …/candidates/{personId}', report: 'GET /v1/reports/{id}', apiReads: 'all API reads', bareHono: 'bare Hono route, same load' }[k]} | ${v.n} | ${v.p50} | ${v.p99} | ${v.max} | ${v.over1s} |`;
          }),
          `| API p99 ÷ bare p99 | ${r.mixedReads.ratioP99ToBare}× | | | | failed reads: ${r.mixedReads.failedReads} ${JSON.stringify(r.mixedReads.failedByStatus ?? {})}; cycles not closed: ${r.mixedReads.cyclesNotClosed}${r.mixedReads.failingWorkflows ? `; workflows failing: ${JSON.stringify(r.mixedReads.failingWorkflows)}` : ''}; asked a workflow: ${JSON.stringify(r.mixedReads.readsFromWorkflow ?? {})}; drivers unanswered: ${JSON.stringify(r.mixedReads.driverNoAnswer ?? {})} |`,
          '',
        ]
      : []),
    ...(r.starts
      ? [
          `| 8. starts, ${r.starts.starts} of each, ${r.starts.clients} clients interleaved | p50 ms | p99 ms | max ms |`,
          '|---|---|---|---|',
          `| POST /v1/cycles | ${r.starts.postCycle.p50} | ${r.starts.postCycle.p99} | ${r.starts.postCycle.max} |`,
          `| bare client.workflow.start (trivial workflow) | ${r.starts.bareWorkflowStart.p50} | ${r.starts.bareWorkflowStart.p99} | ${r.starts.bareWorkflowStart.max} |`,
          `| ratio | ${r.starts.ratioP50}× | ${r.starts.ratioP99}× | |`,
          '',
        ]
      : []),
    ...(r.consolePagesMs
      ? [
          '| 6. console page, one user (goal p99 < 200 ms) | p50 ms | p99 ms |',
          '|---|---|---|',
          ...Object.entries(r.consolePagesMs).map(([k, v]: [string, any]) => `| ${k} | ${v.p50} | ${v.p99} |`),
          '',
        ]
      : []),
    ...(r.soak
      ? [
          `| 9. soak: ${r.soak.cycles} open cycles, worker cache ${r.soak.workerCache} | value |`,
          '|---|---|',
          `| starts refused (left out below) | ${r.soak.startsFailed} |`,
          `| started through the API in (s)${r.soak.maxBacklog ? `, each waiting while over ${r.soak.maxBacklog} workflow tasks waited` : ''} | ${r.soak.startSeconds} |`,
          `| POST /v1/cycles meanwhile (p50 / p99 / max ms) | ${r.soak.post.p50} / ${r.soak.post.p99} / ${r.soak.post.max} |`,
          `| worker process RSS: ready → all open → timers fired (MB) | ${r.soak.rssBeforeMB} → ${r.soak.rssAllOpenMB} → ${r.soak.rssAfterTimersMB} |`,
          `| worker process RSS at most (MB, sampled each second) | ${r.soak.rssMaxMB} |`,
          `| cycles whose supervision timer (${r.soak.timerSeconds} s) moved them | ${r.soak.moved} of ${r.soak.cycles} |`,
          `| moved after their deadline by (p50 / p99 / max s) | ${r.soak.lateSeconds.p50} / ${r.soak.lateSeconds.p99} / ${r.soak.lateSeconds.max} |`,
          `| GET /v1/cycles/{id}, 16 readers, ${r.soak.get.n} reads (p50 / p99 / max ms) | ${r.soak.get.p50} / ${r.soak.get.p99} / ${r.soak.get.max} (not 200: ${JSON.stringify(r.soak.getFailedByStatus ?? {})}) |`,
          ...(r.soak.bare &&
          r.soak.getDuringTimers &&
          r.soak.bareDuringTimers &&
          r.soak.readsSeconds &&
          r.soak.deadlinesSeconds
            ? [
                `| bare Hono route beside the API, same readers, ${r.soak.bare.n} reads (p50 / p99 / max ms) | ${r.soak.bare.p50} / ${r.soak.bare.p99} / ${r.soak.bare.max} |`,
                `| read from / to (s after the first start); timers due from / to | ${r.soak.readsSeconds.from} / ${r.soak.readsSeconds.to}; ${r.soak.deadlinesSeconds.first} / ${r.soak.deadlinesSeconds.last} |`,
                `| once the first timer was due: GET, ${r.soak.getDuringTimers.n} reads (p50 / p99 / max ms) | ${r.soak.getDuringTimers.p50} / ${r.soak.getDuringTimers.p99} / ${r.soak.getDuringTimers.max} |`,
                `| once the first timer was due: bare route, ${r.soak.bareDuringTimers.n} reads (p50 / p99 / max ms) | ${r.soak.bareDuringTimers.p50} / ${r.soak.bareDuringTimers.p99} / ${r.soak.bareDuringTimers.max} |`,
              ]
            : []),
          ...(r.soak.unmovedSample
            ? [
                `| workflow tasks waiting in the task queue at most | ${r.soak.backlogMax} |`,
                `| unmoved cycles sampled: their supervision's last event; task timeouts / failures | ${r.soak.unmovedSample.of === 0 ? 'none unmoved' : `${JSON.stringify(r.soak.unmovedSample.lastEvent)}; ${r.soak.unmovedSample.taskTimeouts} / ${r.soak.unmovedSample.taskFailures} in ${r.soak.unmovedSample.of}`} |`,
                '',
                '| s after the first start | checkpoints open | moved | workflow tasks waiting | sticky cache hits / misses so far |',
                '|---|---|---|---|---|',
                ...r.soak.progress.map(
                  (p: {
                    s: number;
                    open: number;
                    moved: number;
                    backlog: number;
                    cacheHits: number;
                    cacheMisses: number;
                  }) => `| ${p.s} | ${p.open} | ${p.moved} | ${p.backlog} | ${p.cacheHits} / ${p.cacheMisses} |`,
                ),
              ]
            : []),
          '',
        ]
      : []),
  ];
  return lines.join('\n');
}

const times = (x: number | null | undefined) => (x != null ? `${x}×` : '—');

/** Measurement 1's CPU by part (bench/cpu.ts): where a cycle's cost goes, against a trivial workflow's. */
function cpuRows(cpu: Record<string, Record<string, number | null>>): string[] {
  const parts = ['temporal', 'bench', 'postgres', 'machine'] as const;
  const names = {
    temporal: 'Temporal dev server',
    bench: 'bench process (API, worker, simulator)',
    postgres: 'PostgreSQL backends',
    machine: 'whole machine',
  };
  return [
    "| 1. CPU ms by part | per cycle, 3 at a time | per cycle, 30 at a time | per trivial workflow | trivial per cycle (30 at a time) | the floor: a cycle's acts alone, 30 at a time (trivial per one) |",
    '|---|---|---|---|---|---|',
    ...parts.map(
      (k) =>
        `| ${names[k]} | ${cpu.msPerCycle3AtATime?.[k]} | ${cpu.msPerCycle30AtATime?.[k]} | ${cpu.msPerTrivialWorkflow?.[k]} | ${times(cpu.trivialPerCycle30AtATime?.[k])} | ${cpu.msPerActsFloor30AtATime ? `${cpu.msPerActsFloor30AtATime[k]} (${times(cpu.trivialPerActsFloor30AtATime?.[k])})` : '—'} |`,
    ),
    '',
  ];
}
