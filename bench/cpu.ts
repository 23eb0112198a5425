/**
 * CPU time by part of the stack, from /proc (Linux): the bench's own process (API, worker and the
 * simulator's clients in measurement 1), the Temporal dev server, and PostgreSQL's backends serving
 * the bench's database — and the whole machine's, so what else ran beside it shows. Measurement 1
 * takes it over each phase, so a full cycle's cost and a trivial workflow's are split by where they
 * are spent (the cause behind goal 2's throughput ratio, not only the ratio).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Seconds of CPU (user + system) per part, at one moment. */
export type CpuSample = { bench: number; temporal: number; postgres: number; machine: number };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of process `pid` (all its threads), in seconds; 0 for one gone. */
function processSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The postgres backends whose command line names `database` (each connection's own process). */
function backendsOf(database: string): string[] {
  const pids: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(` ${database} `)) pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function machineSeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system (idle iowait excluded) irq softirq steal
  const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  return busy / TICKS_PER_SECOND;
}

/**
 * A sampler of the parts; `since(before)` is the CPU spent between two samples. Backends are read
 * by pid at each sample, so one that closed between the two loses its share (the bench's pools keep
 * theirs open: the share lost is small and shows as a negative that is clipped to 0).
 */
export function cpuSampler(o: { temporalPid: number | undefined; database: string }) {
  const backends = new Map<string, number>();
  const sample = (): CpuSample => {
    let postgres = 0;
    for (const pid of backendsOf(o.database)) {
      const s = processSeconds(pid);
      backends.set(pid, s);
      postgres += s;
    }
    const own = process.cpuUsage();
    return {
      bench: (own.user + own.system) / 1e6,
      temporal: o.temporalPid === undefined ? 0 : processSeconds(o.temporalPid),
      postgres,
      machine: machineSeconds(),
    };
  };
  const since = (before: CpuSample): CpuSample => {
    const now = sample();
    const d = (k: keyof CpuSample) => Math.max(0, Math.round((now[k] - before[k]) * 100) / 100);
    return { bench: d('bench'), temporal: d('temporal'), postgres: d('postgres'), machine: d('machine') };
  };
  return { sample, since };
}

const PARTS = ['bench', 'temporal', 'postgres', 'machine'] as const;

/**
 * CPU milliseconds per run (a cycle, a trivial workflow) by part for each phase, and how many trivial
 * workflows' worth of each part one cycle costs: the throughput ratio's cause, part by part.
 */
export function cpuPerRun(phases: {
  cycles: [CpuSample, number];
  capacity: [CpuSample, number];
  trivial: [CpuSample, number];
  /** Goal 2's floor: a cycle's acts alone (bench/acts-workflow.ts), 30 at a time. */
  actsFloor?: [CpuSample, number];
}) {
  const per = ([s, n]: [CpuSample, number]) =>
    Object.fromEntries(PARTS.map((k) => [k, Math.round((s[k] * 1000) / n)])) as Record<(typeof PARTS)[number], number>;
  const cycle = per(phases.cycles);
  const capacity = per(phases.capacity);
  const trivial = per(phases.trivial);
  const floor = phases.actsFloor && per(phases.actsFloor);
  const ratio = (x: Record<string, number>) =>
    Object.fromEntries(PARTS.map((k) => [k, trivial[k] > 0 ? Math.round(x[k]! / trivial[k]) : null]));
  return {
    msPerCycle3AtATime: cycle,
    msPerCycle30AtATime: capacity,
    msPerTrivialWorkflow: trivial,
    trivialPerCycle3AtATime: ratio(cycle),
    trivialPerCycle30AtATime: ratio(capacity),
    ...(floor ? { msPerActsFloor30AtATime: floor, trivialPerActsFloor30AtATime: ratio(floor) } : {}),
  };
}
