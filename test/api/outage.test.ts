/**
 * A part stops: PostgreSQL or Temporal goes away under a running API. Every route that needs the
 * missing part answers 503 SERVICE_UNAVAILABLE naming it, with Retry-After, promptly (by the
 * configured timeouts, not by anything measured here); /readyz says which part is down; when the
 * part comes back the same API answers again. Each part sits behind a TCP proxy the test cuts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { createWorkflowStarter } from '../../activities/outbox.js';
import { createActivities } from '../../worker/activities.js';
import { reportWorkflowId, riskWorkflowId } from '../../domain/ids.js';
import type * as R from '../../domain/eager/reports.js';
import type { riskSchema } from '../../domain/eager/supervision.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient } from '../../temporal/connection.js';
import type { Client } from '@temporalio/client';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { cuttableProxy, type CuttableProxy } from '../proxy.js';
import * as S from '../scenario.js';
import { apiClient, expectStatus, read } from './client.js';

let stack: Stack;
let organizer: string;
let pgProxy: CuttableProxy;
let temporalProxy: CuttableProxy;
let pool: Pool;
let client: Client;
let variant: { url: string; close(): Promise<void> };
const CYCLE_ID = '440310:2071';
const param = { cycleId: CYCLE_ID };

const SLOW_UNIT = '慢速查核组';
let activityPool: Pool;
let activityClient: Client;

beforeAll(async () => {
  const codecKeys = parseCodecKeys(inject('codecKeys'));
  // The real activities, one of them slow for one unit: a busy but healthy workflow.
  activityPool = createPool(inject('databaseUrl'), { max: 3, role: APP_ROLE });
  activityClient = await connectClient({
    address: inject('temporalAddress'),
    namespace: inject('namespace'),
    codecKeys,
  });
  const real = createActivities({ pool: activityPool, codecKeys, temporal: activityClient, taskQueue: '' });
  const activities = {
    ...real,
    async recordReportTriage(...args: Parameters<typeof real.recordReportTriage>) {
      if (args[1].unit === SLOW_UNIT) await new Promise((r) => setTimeout(r, 4_000));
      return real.recordReportTriage(...args);
    },
  };
  stack = await startStack({ rateLimit: { perMinute: 100_000, burst: 10_000 }, activities });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '深圳市委组织部');
  const db = new URL(inject('databaseUrl'));
  pgProxy = await cuttableProxy({ host: db.hostname, port: Number(db.port || 5432) });
  db.host = pgProxy.address;
  pool = createPool(db.toString(), { max: 3, role: APP_ROLE, onError: () => undefined });
  const [host, port] = inject('temporalAddress').split(':');
  temporalProxy = await cuttableProxy({ host: host!, port: Number(port) });
  client = await connectClient({
    address: temporalProxy.address,
    namespace: inject('namespace'),
    codecKeys: parseCodecKeys(inject('codecKeys')),
  });
  variant = await stack.serveVariant({ pool, temporal: client });
  const started = stack.as(organizer).v1.cycles.$post({
    json: S.startBody('440310', '2071', { calendar: { kind: 'compressed', secondsPerWorkingDay: 60 } }),
  });
  expect((await read(started)).status).toBe(201);
});
afterAll(async () => {
  await variant?.close();
  await client?.connection.close();
  await pool?.end();
  await pgProxy?.close();
  await temporalProxy?.close();
  await stack?.stop();
  await activityClient?.connection.close();
  await activityPool?.end();
});

/** The typed client of the API whose parts sit behind the proxies. */
const api = (token = organizer) => apiClient(variant.url, token);
/** Each request is bounded: a hang fails the test instead of passing it. */
const bounded = () => ({ init: { signal: AbortSignal.timeout(15_000) } });
const cycle = () => api().v1.cycles[':cycleId'];
const getCycle = () => read(cycle().$get({ param }, bounded()));
/** /readyz is the process's, not a route of the API (not in AppType): read raw, bounded the same. */
async function readyz() {
  const res = await fetch(`${variant.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { checks: Record<string, string> } };
}

const unavailable = (part: string) => ({
  status: 503,
  body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining(part) } },
});

describe('a part stops under a running API', () => {
  it('both parts up: the routes and /readyz answer', async () => {
    expect((await getCycle()).status).toBe(200);
    const ready = await readyz();
    expect(ready).toMatchObject({ status: 200, body: { ok: true, checks: { postgres: 'ok', temporal: 'ok' } } });
  });

  it('both parts up: an Update waiting on a busy workflow is answered, not cut off as an outage', async () => {
    const intake = api(await stack.token(['intake'], '440300'));
    const report = await read(
      intake.v1.reports.$post({ json: { ...reportBody, channelRef: 'outage-busy' }, header: {} }, bounded()),
    );
    expectStatus(report, 201);
    const investigator = api(await stack.token(['investigator'], '440300'));
    const triaged = await read(
      investigator.v1.reports[':reportId'].triage.$post(
        {
          param: { reportId: report.body.reportId },
          json: { kind: 'supervised', unit: SLOW_UNIT, reason: '涉及多名干部，立项督办' },
          header: {},
        },
        bounded(),
      ),
    );
    expect(triaged).toMatchObject({ status: 200, body: { unit: SLOW_UNIT, triage: 'supervised' } });
  });

  it('PostgreSQL stopped: database routes answer 503 naming the database, with Retry-After; /readyz names it', async () => {
    await pgProxy.stop();
    try {
      const requests: [string, () => Promise<{ status: number; headers: Headers }>][] = [
        ['GET /v1/cycles/{cycleId}', getCycle],
        ['GET /v1/cycles?scope=440300', () => read(api().v1.cycles.$get({ query: { scope: '440300' } }, bounded()))],
        ['GET /v1/risks', () => read(api().v1.risks.$get({ query: {} }, bounded()))],
        [
          'POST /v1/risks',
          () => read(api().v1.risks.$post({ json: { ...riskBody, level: 'low' }, header: {} }, bounded())),
        ],
        [
          'POST /v1/cycles/{cycleId}/launch',
          () => read(cycle().launch.$post({ param, json: S.launch, header: {} }, bounded())),
        ],
      ];
      for (const [what, send] of requests) {
        const res = await send();
        expect(res, what).toMatchObject(unavailable('database'));
        expect(Number(res.headers.get('retry-after')), what).toBeGreaterThan(0);
      }
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.temporal).toBe('ok');
      expect(ready.body.checks.postgres).toMatch(/^down: /);
      expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await pgProxy.start();
    }
    // Back again: the same API (its pool) answers without a restart.
    await eventually(async () => (await getCycle()).status === 200);
  });

  it('PostgreSQL full (too many connections): database routes answer 503 naming the database, with Retry-After', async () => {
    // A login role allowed no connection: the server refuses each with SQLSTATE 53300, as it does
    // every client once max_connections is reached. A busy server, not a client's mistake.
    const role = `huanjie_full_${Date.now()}`;
    const admin = createPool(inject('databaseUrl'), { max: 1 });
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'full' CONNECTION LIMIT 0`);
    const url = new URL(inject('databaseUrl'));
    url.username = role;
    url.password = 'full';
    const fullPool = createPool(url.toString(), { max: 2, onError: () => undefined });
    const full = await stack.serveVariant({ pool: fullPool, temporal: client });
    try {
      const on = apiClient(full.url, organizer);
      const requests: [string, () => Promise<{ status: number; headers: Headers }>][] = [
        ['GET /v1/cycles/{cycleId}', () => read(on.v1.cycles[':cycleId'].$get({ param }, bounded()))],
        [
          'POST /v1/risks',
          () => read(on.v1.risks.$post({ json: { ...riskBody, level: 'low' }, header: {} }, bounded())),
        ],
      ];
      for (const [what, send] of requests) {
        const res = await send();
        expect(res, what).toMatchObject(unavailable('database'));
        expect(Number(res.headers.get('retry-after')), what).toBeGreaterThan(0);
      }
      // A keyed input's 503 speaks for that request only: one sent earlier with its key may have been
      // applied (found from outside: a client gave up on "nothing was applied" for holds on the record).
      const keyed = await read(
        on.v1.risks.$post(
          { json: { ...riskBody, level: 'low' }, header: { 'idempotency-key': 'outage-full-keyed' } },
          bounded(),
        ),
      );
      expect(keyed).toMatchObject(unavailable('database'));
      expect(JSON.stringify(keyed.body)).toContain('same Idempotency-Key may have been applied');
      const keyless = await read(on.v1.risks.$post({ json: { ...riskBody, level: 'low' }, header: {} }, bounded()));
      expect(JSON.stringify(keyless.body)).not.toContain('Idempotency-Key');
    } finally {
      await full.close();
      await fullPool.end();
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  it('Temporal stopped: a running cycle still reads from PostgreSQL; a stage input and a start answer 503 naming Temporal, with Retry-After; /readyz names it; a report is kept and its workflow started once Temporal is back', async () => {
    const before = await getCycle();
    expectStatus(before, 200);
    await temporalProxy.stop();
    try {
      // Reads never wait on the workflow: the running cycle answers from its projection, unchanged.
      const during = await getCycle();
      expectStatus(during, 200);
      expect(during.body).toEqual(before.body);
      const requests: [string, () => Promise<{ status: number; headers: Headers }>][] = [
        [
          'POST /v1/cycles/{cycleId}/launch',
          () => read(cycle().launch.$post({ param, json: S.launch, header: {} }, bounded())),
        ],
        ['POST /v1/cycles', () => read(api().v1.cycles.$post({ json: S.startBody('440311', '2071') }, bounded()))],
      ];
      for (const [what, send] of requests) {
        const res = await send();
        expect(res, what).toMatchObject(unavailable('temporal'));
        expect(Number(res.headers.get('retry-after')), what).toBeGreaterThan(0);
      }
      // The failed start left nothing behind: no cycle to list or follow on its timeline (a GET of the
      // cycle itself would ask Temporal, which is down, whether a cycle without a projection exists).
      const unstarted = api().v1.cycles[':cycleId'];
      expect((await read(unstarted.timeline.$get({ param: { cycleId: '440311:2071' } }))).status).toBe(404);
      const listed: any = await read(api().v1.cycles.$get({ query: { scope: '440311' } }));
      expect(listed.status).toBe(200);
      expect(listed.body.cycles.map((c: { id: string }) => c.id)).not.toContain('440311:2071');
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.postgres).toBe('ok');
      expect(ready.body.checks.temporal).toMatch(/^down: /);
      // A report is the record's first: kept, and its workflow left to the starter.
      const intake = api(await stack.token(['intake'], '440300'));
      const report = await read(intake.v1.reports.$post({ json: reportBody, header: {} }, bounded()));
      expect(report).toMatchObject({ status: 201, body: { workflow: 'pending' } });
      expectStatus(report, 201);
      expect(report.body.hold).toEqual({ state: 'none', why: expect.any(String) });
      reportId = report.body.reportId;
      // A high risk on the running cycle is kept too (its cycle's calendar read from PostgreSQL), and
      // says its hold is not on the gate yet: nothing was confirmed, so nothing is claimed.
      const high = await read(api().v1.risks.$post({ json: riskBody, header: {} }, bounded()));
      expectStatus(high, 201);
      expect(high.body).toMatchObject({ workflow: 'pending', hold: { state: 'pending', why: expect.any(String) } });
      riskId = high.body.riskId;
    } finally {
      await temporalProxy.start();
    }
    // The cycle reads from PostgreSQL either way: readiness is what says Temporal is reachable again.
    await eventually(async () => (await readyz()).status === 200, 30_000);
    // Nothing was started while Temporal was away; the report's workflow starts once it is back.
    expect((await read(cycle().$get({ param: { cycleId: '440311:2071' } }, bounded()))).status).toBe(404);
    const starter = createWorkflowStarter({ pool: stack.pool, temporal: stack.client });
    const swept = await starter.sweep({ taskQueue: stack.taskQueue, olderThanMs: 0 });
    expect({ ...swept, started: [...swept.started].sort() }).toEqual({
      started: [reportWorkflowId(reportId), riskWorkflowId(riskId)].sort(),
      failed: [],
    });
    // Once its workflow runs, the risk's hold is on the cycle.
    await eventually(async () => {
      const read = await getCycle();
      return 'holds' in read.body && read.body.holds.some((h) => h.name === `risk-${riskId}`);
    });
  });
});

describe('Temporal hung (taking connections, answering nothing)', () => {
  // A server stopped with SIGSTOP, or a network dropping packets: without a deadline a call waits as
  // long as the connection lives, so a person's request hangs for minutes and is applied later. Each
  // request's Temporal calls share a deadline; past it the person hears 503 with Retry-After (an input:
  // 504, retry with the same Idempotency-Key), and that retry applies the input once.
  it('inputs and starts answer within the call deadline; a retry with the same key applies the input once', async () => {
    const hung = await stack.serveVariant({ pool, temporal: client, temporalDeadlineMs: 2_000 });
    const as = () => apiClient(hung.url, organizer);
    const key = `hung-${Date.now()}`;
    const launch = () =>
      read(
        as().v1.cycles[':cycleId'].launch.$post(
          { param, json: S.launch, header: { 'idempotency-key': key } },
          bounded(),
        ),
      );
    try {
      expect((await getCycle()).body).toMatchObject({ stage: 'launch' });
      await temporalProxy.stall();
      try {
        const input = await launch();
        expect([503, 504]).toContain(input.status);
        expect(Number(input.headers.get('retry-after'))).toBeGreaterThan(0);
        const start = await read(as().v1.cycles.$post({ json: S.startBody('440305', '2071') }, bounded()));
        expect(start).toMatchObject(unavailable('temporal'));
        expect(Number(start.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        await temporalProxy.start();
      }
      // Back: the same key applies the launch once, however many times it is sent.
      const again = await eventually(async () => {
        const r = await launch();
        return r.status === 200 ? r : undefined;
      }, 30_000);
      expect(again.body).toMatchObject({ stage: 'analysis' });
      const once = await launch();
      expect(once).toMatchObject({ status: 200, body: { stage: 'analysis', version: again.body.version } });
    } finally {
      await hung.close();
    }
  });
});

let reportId: string;
let riskId: string;
const reportBody: z.input<typeof R.intakeSchema> = {
  channel: 'web',
  category: 'voteBuying',
  target: { type: 'jurisdiction', jurisdictionId: '440310' },
  text: '反映有人拉票',
  receivedAt: new Date().toISOString(),
};
const riskBody: z.input<typeof riskSchema> = {
  jurisdictionId: '440310',
  cycleId: CYCLE_ID,
  stage: 'decision',
  category: 'petitions',
  level: 'high',
  description: '征地补偿矛盾',
  measures: ['逐户走访'],
  owner: '街道党工委',
  deadlineWorkingDays: 10,
};
