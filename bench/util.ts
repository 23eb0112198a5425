/**
 * Small helpers every bench measurement shares: percentiles, rounding, concurrent load loops and a
 * server on a free port (and the bare route reads are compared with). Kept apart so the measurements
 * in their own files need not import run.ts.
 */
import { Hono } from 'hono';
export { serveOn } from '../api/http-server.js';

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
/** The largest sample, NaN for none. A fold, not Math.max(...xs): a run gathers more samples than a call takes as arguments. */
export const maxOf = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => Math.max(a, b)));
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The bench's 200 districts, under 深圳市 (440300) with ids of its own (domain/jurisdiction-ids.ts). */
/**
 * Polls `count` until it reaches `target`, or fails naming what it waited for and how far it got: a wait
 * that can never end (a query that matches nothing, 12-07) says so instead of idling for hours.
 */
export async function waitForCount(
  what: string,
  count: () => number | Promise<number>,
  target: number,
  deadlineMs: number,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const n = await count();
    if (n >= target) return;
    if (Date.now() > until) throw new Error(`bench: waited ${deadlineMs / 1000} s for ${what}: ${n} of ${target}`);
    await sleep(500);
  }
}

export const benchDistrict = (i: number) => `440300-B${String(i).padStart(4, '0')}`;

/** p50/p99/max of latencies in ms, and how many took longer than one second (issue 14: none may). */
export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  over1s: number;
}
export const summarize = (ms: number[]): LatencySummary => ({
  n: ms.length,
  p50: round(pct(ms, 50)),
  p99: round(pct(ms, 99)),
  max: round(maxOf(ms)),
  over1s: ms.filter((x) => x > 1000).length,
});

/** `clients` concurrent loops, `total` requests in all; returns latencies in ms. */
export async function load(
  total: number,
  clients: number,
  one: (i: number) => Promise<void>,
): Promise<{ ms: number[]; wall: number }> {
  const ms: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await one(i);
        ms.push(performance.now() - t);
      }
    }),
  );
  return { ms, wall: performance.now() - t0 };
}

/** One GET; the body is read (a response is not done until it is) and a status other than 200 throws. */
export async function getOk(url: string, token?: string): Promise<void> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
}

/** The baseline every API read is compared with: a Hono route that does nothing. */
export function bareApp(): Hono {
  const bare = new Hono();
  bare.get('/bare', (c) => c.json({ ok: true }));
  return bare;
}
