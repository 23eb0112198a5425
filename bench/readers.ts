/**
 * Measurement 7's readers (bench/mixed-reads.ts): each loops over eight kinds of turn — five GETs of a
 * random in-flight cycle, one of a candidate, one of a report, one of the bare Hono route — until no
 * cycle is left in flight, timing each read. They run in a process of their own
 * (bench/readers-process.ts) unless BENCH_MIXED_READERS=bench: in the bench process a read's clock also
 * counts the 200 drivers' work on that process's event loop.
 */
import { round } from './util.js';

export interface ReadersConfig {
  apiUrl: string;
  bareUrl: string;
  /** Bearer tokens: an organizer's for cycles and candidates, the intake desk's for reports. */
  organizer: string;
  intake: string;
  reports: string[];
  candidatesPerCycle: number;
  readers: number;
}

export interface ReadTimes {
  /** ms of each read answered 200, by what it read. */
  cycle: number[];
  candidate: number[];
  report: number[];
  bare: number[];
  /** Every API read over 1 s and bare read over 500 ms: when it started (s after `t0`), what, how long. */
  slowReads: { atS: number; kind: string; ms: number }[];
  candidateNotYet: number;
  failedReads: number;
  failedByStatus: Record<string, number>;
}

/** Reads until `inFlight` is empty; `t0` (performance.now()) is the drive's start. */
export async function runReaders(c: ReadersConfig, inFlight: ReadonlySet<string>, t0: number): Promise<ReadTimes> {
  const times: ReadTimes = {
    cycle: [],
    candidate: [],
    report: [],
    bare: [],
    slowReads: [],
    candidateNotYet: 0,
    failedReads: 0,
    failedByStatus: {},
  };
  const pick = () => {
    const open = [...inFlight];
    return open[Math.floor(Math.random() * open.length)];
  };
  const timed = async (url: string, token: string | undefined, kind: 'cycle' | 'candidate' | 'report' | 'bare') => {
    const t = performance.now();
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = await res.text();
    const took = performance.now() - t;
    if (took > 1000 || (kind === 'bare' && took > 500))
      times.slowReads.push({ atS: round((t - t0) / 1000, 1), kind, ms: round(took) });
    if (res.status === 200) times[kind].push(took);
    else if (kind === 'candidate' && (res.status === 404 || (res.status === 409 && body.includes('NOT_READY'))))
      times.candidateNotYet++;
    else {
      times.failedReads++;
      times.failedByStatus[res.status] = (times.failedByStatus[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(
    Array.from({ length: c.readers }, async (_, r) => {
      for (let k = r; inFlight.size > 0; k++) {
        const turn = k % 8;
        const cycleId = pick();
        if (cycleId === undefined) break;
        if (turn < 5) await timed(`${c.apiUrl}/v1/cycles/${cycleId}`, c.organizer, 'cycle');
        else if (turn === 5) {
          const person = `members1-${1 + Math.floor(Math.random() * c.candidatesPerCycle)}`;
          await timed(`${c.apiUrl}/v1/cycles/${cycleId}/candidates/${person}`, c.organizer, 'candidate');
        } else if (turn === 6)
          await timed(`${c.apiUrl}/v1/reports/${c.reports[k % c.reports.length]}`, c.intake, 'report');
        else await timed(`${c.bareUrl}/bare`, undefined, 'bare');
      }
    }),
  );
  return times;
}
