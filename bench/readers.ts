/**
 * Measurement 7's readers (bench/mixed-reads.ts): each loops over eight kinds of turn — five GETs of a
 * random in-flight cycle, one of a candidate, one of a report, one of the bare Hono route — until no
 * cycle is left in flight, timing each read. They run in a process of their own
 * (bench/readers-process.ts) unless BENCH_MIXED_READERS=bench: in the bench process a read's clock also
 * counts the 200 drivers' work on that process's event loop.
 */
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
  /**
   * Every API read over 1 s and bare read over 500 ms: when it started (s after `t0`), what, how long,
   * and (API reads, since 12-06) where the time went, from the stamps bench/api-process.ts puts on
   * its answers: `connectMs` from the send to the API accepting its connection (absent when the
   * connection was an earlier one, kept alive), `parseMs` from then (or the send) to the handler's
   * start, `handlerMs`, and `backMs` from the handler's answer to the body read here.
   */
  slowReads: SlowRead[];
  /** The readers' event loop: its longest delay over the drive's first 10 s and over the whole drive (since 12-06). */
  loopDelayMaxMs?: { first10s: number; drive: number };
  candidateNotYet: number;
  failedReads: number;
  failedByStatus: Record<string, number>;
}

export interface SlowRead {
  atS: number;
  kind: string;
  ms: number;
  connectMs?: number;
  /** Of `connectMs`: from the send to undici deciding to open the connection, and to the handshake's end. */
  undiciConnectAtMs?: number;
  connectedAtMs?: number;
  parseMs?: number;
  handlerMs?: number;
  backMs?: number;
}

const epochMs = () => performance.timeOrigin + performance.now();

// The readers' own connections to the API (undici's diagnostics channels, Node 20's fetch): when
// undici decided to open each one and when its handshake ended here, by local port, so a slow
// connect can be told apart — a late decision here, or a handshake the kernel held.
const connectsBegun: number[] = [];
const connectedByPort = new Map<number, { begunAt: number | undefined; connectedAt: number }>();
subscribe('undici:client:beforeConnect', () => void connectsBegun.push(epochMs()));
// A connect that failed ends its beginning too, or every later one would be paired with an older start.
subscribe('undici:client:connectError', () => void connectsBegun.shift());
subscribe('undici:client:connected', (m) => {
  const port = (m as { socket?: { localPort?: number } }).socket?.localPort;
  // Connects end in about the order they began: the oldest unmatched beginning is this one's.
  if (port !== undefined) connectedByPort.set(port, { begunAt: connectsBegun.shift(), connectedAt: epochMs() });
});

/**
 * A candidate whose inspection is opening: NOT_READY, a 503 with Retry-After (a 409 before 00ce6da, which
 * the API no longer answers). Counted with the candidates not yet recommended, not as a failed read: the
 * 12-06 evening run counted 3,486 of them as failed 503s.
 */
const openingNow = (status: number, body: string) => status === 503 && body.includes('inspection is opening');

/** Where a slow read's time went, from the API's stamps (bench/api-process.ts); {} if unstamped. */
function splitOf(res: Response, sent: number, done: number): Partial<SlowRead> {
  const stamp = (name: string) => {
    const v = res.headers.get(`x-bench-${name}`);
    return v === null ? undefined : Number(v);
  };
  const accepted = stamp('accepted');
  const entered = stamp('entered');
  const answered = stamp('answered');
  if (entered === undefined || answered === undefined) return {};
  // A connection accepted before this read was sent is a kept-alive one: no connect wait.
  const fresh = accepted !== undefined && accepted >= sent - 1;
  const port = Number(res.headers.get('x-bench-port'));
  const here = fresh ? connectedByPort.get(port) : undefined;
  return {
    ...(fresh ? { connectMs: round(accepted - sent) } : {}),
    ...(here?.begunAt !== undefined ? { undiciConnectAtMs: round(here.begunAt - sent) } : {}),
    ...(here ? { connectedAtMs: round(here.connectedAt - sent) } : {}),
    parseMs: round(entered - (fresh ? accepted : sent)),
    handlerMs: round(answered - entered),
    backMs: round(done - answered),
  };
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
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let first10s: number | undefined;
  const at10s = setTimeout(() => (first10s = loop.max / 1e6), 10_000);
  const pick = () => {
    const open = [...inFlight];
    return open[Math.floor(Math.random() * open.length)];
  };
  const timed = async (url: string, token: string | undefined, kind: 'cycle' | 'candidate' | 'report' | 'bare') => {
    const sent = epochMs();
    const t = performance.now();
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = await res.text();
    const took = performance.now() - t;
    if (took > 1000 || (kind === 'bare' && took > 500))
      times.slowReads.push({ atS: round((t - t0) / 1000, 1), kind, ms: round(took), ...splitOf(res, sent, epochMs()) });
    if (res.status === 200) times[kind].push(took);
    else if (kind === 'candidate' && (res.status === 404 || openingNow(res.status, body))) times.candidateNotYet++;
    else {
      times.failedReads++;
      const key = `${kind} ${res.status}`;
      times.failedByStatus[key] = (times.failedByStatus[key] ?? 0) + 1;
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
  clearTimeout(at10s);
  loop.disable();
  times.loopDelayMaxMs = { first10s: round(first10s ?? loop.max / 1e6), drive: round(loop.max / 1e6) };
  return times;
}
