/**
 * Issue 14.3: reads answer from Postgres — the projection the worker writes after every change —
 * never by a workflow query. After each kind of input the GET equals what the workflow's own query
 * says (both compared here), the input's answer is never older than the input, and with the worker
 * stopped the reads still answer.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool } from '../../activities/db.js';
import { canonical } from '../../domain/canonical.js';
import { cycleWorkflowId, reportWorkflowId, supervisionWorkflowId } from '../../domain/ids.js';
import { getStateQuery } from '../../workflows/contracts/cycle.js';
import { getReportQuery } from '../../workflows/contracts/report.js';
import { getSupervisionQuery } from '../../workflows/contracts/supervision.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { serveWithWorkflowService } from './temporal-variant.js';
import * as S from '../scenario.js';

let stack: Stack;
let organizer: string;
let intake: string;
let investigator: string;

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '组织部-李明');
  intake = await stack.token(['intake'], '440300', '12380受理员');
  investigator = await stack.token(['investigator'], '440300', '查核组');
});
afterAll(() => stack?.stop());

const CYCLE_ID = '440306:2033';
const CYCLE = `/v1/cycles/${CYCLE_ID}`;
/** Equal as JSON, whatever the order of keys (the projection stores a state's keys as parts). */
const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(JSON.parse(JSON.stringify(b ?? null)));
const getCycle = async () => {
  const res = await stack.call('GET', CYCLE, { token: organizer });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const queryCycle = () => stack.client.workflow.getHandle(cycleWorkflowId(CYCLE_ID)).query(getStateQuery);

/**
 * Once the workflow is quiet (same version both ways), the GET is exactly its state — but for the
 * candidates' late departments, which the API adds from their review tasks (the workflow is not told
 * of them): those are checked against the tasks.
 */
async function getEqualsQuery(): Promise<any> {
  // Late departments only grow, and a compressed calendar makes them grow while the test reads: the
  // GET's count lies between the tasks' counts read just before and just after it.
  const lateBefore = await lateByPerson();
  const [got, asked] = await eventually(async () => {
    const q = await queryCycle();
    const g = await getCycle();
    return g.version === q.version && JSON.stringify(await queryCycle()) === JSON.stringify(q) && [g, q];
  });
  const withoutLate = (state: any) => ({
    ...state,
    candidates: state.candidates.map(({ lateReviews: _, ...c }: { lateReviews?: unknown }) => c),
  });
  expect(withoutLate(got)).toEqual(withoutLate(JSON.parse(JSON.stringify(asked))));
  const lateAfter = await lateByPerson();
  for (const c of got.candidates as { personId: string; lateReviews?: unknown[] }[]) {
    const n = c.lateReviews?.length ?? 0;
    expect(n, c.personId).toBeGreaterThanOrEqual(lateBefore.get(c.personId) ?? 0);
    expect(n, c.personId).toBeLessThanOrEqual(lateAfter.get(c.personId) ?? 0);
  }
  return got;
}

/** Each candidate's late departments as their review tasks record them (chased, escalated). */
async function lateByPerson(): Promise<Map<string, number>> {
  const { rows } = await stack.pool.query<{ personId: string; n: number }>(
    `SELECT person_id AS "personId", count(DISTINCT chased_at)::int + count(DISTINCT escalated_at)::int AS n
     FROM review_tasks WHERE cycle_id = $1 GROUP BY person_id`,
    [CYCLE_ID],
  );
  return new Map(rows.map((r) => [r.personId, r.n]));
}

/** A report on district 440306, registered by intake. */
const registerReport = (channel: string, category: string, text: string) =>
  stack.call('POST', '/v1/reports', {
    token: intake,
    body: {
      channel,
      category,
      text,
      receivedAt: new Date().toISOString(),
      target: { type: 'jurisdiction', jurisdictionId: '440306' },
    },
  });

/** An input's answer: 200, never older than the state the workflow had when it answered. */
async function input(path: string, body: unknown): Promise<any> {
  const res = await stack.call('POST', `${CYCLE}/${path}`, { token: organizer, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  const now = await queryCycle();
  expect(res.body.version).toBeLessThanOrEqual(now.version);
  expect(res.body.cycleId).toBe(CYCLE_ID);
  return res.body;
}

describe('reads from the projection in Postgres', () => {
  it('GET /v1/cycles/{id} equals the workflow after every kind of input', async () => {
    const started = await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440306', '2033') });
    expect(started.status).toBe(201);
    // Straight after the start, before any worker could have run, the cycle reads.
    expect((await stack.call('GET', CYCLE, { token: organizer })).body.cycleId).toBe(CYCLE_ID);
    // A repeated start answers 200 with the cycle's state, read from Postgres too.
    const again = await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440306', '2033') });
    expect(again.status).toBe(200);
    expect(again.body.state.cycleId).toBe(CYCLE_ID);
    await getEqualsQuery();

    expect((await input('launch', S.launch)).stage).toBe('analysis');
    await getEqualsQuery();
    expect((await input('analysis', S.analysis)).stage).toBe('recommendation');
    await getEqualsQuery();
    await input('recommendation-rounds', S.cadreMeeting);
    await getEqualsQuery();
    const inspection = await input('recommendation-rounds', S.fullCommittee);
    expect(inspection.stage).toBe('inspection');
    const atInspection = await getEqualsQuery();
    expect(atInspection.candidates.length).toBeGreaterThan(0);

    // Organizer holds, suspension and their releases.
    const held = await input('holds', { name: 'letter-1', reason: '来信待核' });
    expect(held.holds.map((h: { name: string }) => h.name)).toContain('letter-1');
    await getEqualsQuery();
    await input('hold-releases', { name: 'letter-1', resolution: '已核' });
    await getEqualsQuery();
    expect((await input('suspend', { reason: '上级要求暂缓' })).status).toBe('suspended');
    await getEqualsQuery();
    expect((await input('resume', { reason: '恢复' })).status).toBe('running');
    await getEqualsQuery();

    // Candidates' outcomes reach the cycle by signal: the projection follows them too.
    const people = atInspection.candidates.map((c: { personId: string }) => c.personId) as string[];
    for (const p of people) expect((await inspectViaApi(stack, CYCLE_ID, p)).status, p).toBe('passed');
    const afterInspection = await getEqualsQuery();
    expect(afterInspection.candidates.every((c: { status: string }) => c.status === 'passed')).toBe(true);

    expect((await input('standing-committee', S.standing)).stage).toBe('decision');
    await getEqualsQuery();
    expect((await input('committee-vote', S.vote)).stage).toBe('publicity');
    await getEqualsQuery();
    await input('nominee-drops', { personId: 'd1', reason: '举报部分属实，取消拟任资格', cause: 'report' });
    await getEqualsQuery();
    await eventually(async () => (await getCycle()).stage === 'approval');
    await getEqualsQuery();
    expect((await input('approval', S.approval)).stage).toBe('election');
    await getEqualsQuery();
    const closed = await input('election', S.election(['d2', 'd3']));
    expect(closed.status).toBe('closed');
    const final = await getEqualsQuery();
    expect(final.results.length).toBe(2);

    // The record is in Postgres: the projection holds it, part by part.
    const { rows } = await stack.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM workflow_state_parts WHERE workflow_id = $1',
      [cycleWorkflowId(CYCLE_ID)],
    );
    expect(rows[0]!.n).toBeGreaterThan(people.length);
  });

  it('the list says what a cycle waits for as its GET does, from its start to its abort', async () => {
    const cycleId = '440307:2097';
    const call = (method: string, path: string, body?: unknown) =>
      stack.call(method, path, { token: organizer, ...(body !== undefined ? { body } : {}) });
    expect((await call('POST', '/v1/cycles', S.startBody('440307', '2097'))).status).toBe(201);
    const listed = async () =>
      (await call('GET', '/v1/cycles?scope=440307&limit=500')).body.cycles.find(
        (c: { id: string }) => c.id === cycleId,
      );
    // Found from outside: the list said "" while GET said what the launch waits for, until the next input.
    const waiting = await eventually(async () => {
      const got = (await call('GET', `/v1/cycles/${cycleId}`)).body;
      expect(got.waitingFor).not.toBe('');
      return got.waitingFor as string;
    });
    expect((await listed()).waitingFor).toBe(waiting);
    const aborted = await call('POST', `/v1/cycles/${cycleId}/abort`, { reason: '测试终止' });
    expect(aborted.status).toBe(200);
    const ended = (await call('GET', `/v1/cycles/${cycleId}`)).body.waitingFor;
    expect(await listed()).toMatchObject({ status: 'aborted', waitingFor: ended });
  });

  it('a started cycle is in the list and its timeline at once, before any worker has taken it', async () => {
    // No worker polls this queue: whatever the reads show comes from the start alone.
    const variant = await stack.serveVariant({ taskQueue: `nobody-${randomUUID()}` });
    const cycleId = '440306:2098';
    try {
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${variant.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${organizer}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      const started = await call('POST', '/v1/cycles', S.startBody('440306', '2098'));
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const timeline = await call('GET', `/v1/cycles/${cycleId}/timeline`);
      expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
      expect(timeline.body.cycle).toMatchObject({ id: cycleId, stage: 'launch', status: 'running' });
      const list = await call('GET', '/v1/cycles?scope=440306&limit=500');
      expect(list.status).toBe(200);
      expect(list.body.cycles.map((c: { id: string }) => c.id)).toContain(cycleId);
      expect(list.body.cycles.find((c: { id: string }) => c.id === cycleId)).toMatchObject({ stage: 'launch' });
      // Its supervision opens with the cycle's first step: until then a short wait (503, Retry-After), not a 404.
      const supervisor = await stack.token(['supervisor'], '440300', '督查组');
      const early: { status: number; body: any; retryAfter?: string | null }[] = [
        await call('GET', `/v1/cycles/${cycleId}/supervision`),
        await fetch(`${variant.url}/v1/cycles/${cycleId}/supervision/monitoring`, {
          method: 'POST',
          headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            point: '监测点',
            scores: { selection: 90, correction: 90, discipline: 90, conduct: 90 },
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as any,
          retryAfter: r.headers.get('retry-after'),
        })),
      ];
      for (const answer of early) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(503);
        expect(answer.body.error.details).toEqual([{ path: 'cycleId', rule: 'supervision opening' }]);
      }
      expect(Number(early[1]!.retryAfter)).toBeGreaterThan(0);
    } finally {
      await variant.close();
      await stack.client.workflow.getHandle(cycleWorkflowId(cycleId)).terminate('test over');
    }
  });

  it('counts a read that had to ask the workflow (a stale projection) where operators and the benchmark see it', async () => {
    const { cycleId, path } = await startCycle('2034');
    const fresh = await eventually(async () => {
      const g = await stack.call('GET', path, { token: organizer });
      return g.status === 200 && g.body;
    });
    const counted = staleCycleReadsAsked;
    const before = await counted();
    expect(await counted()).toBe(before); // reading the metric is no read of a cycle
    // A stale mark whose repair is overdue (a lost write, and no whole send since): the read asks the
    // workflow. (The cycle may still be at work: a whole send of its own repairs the mark before the
    // read; then it is marked again.)
    const asked = await eventually(async () => {
      await stack.pool.query(
        `UPDATE workflow_projections SET stale = true, updated_at = now() - interval '1 minute' WHERE workflow_id = $1`,
        [cycleWorkflowId(cycleId)],
      );
      const got = await stack.call('GET', path, { token: organizer });
      return (await counted()) > before && got;
    });
    expect(asked.status).toBe(200);
    expect(asked.body.cycleId).toBe(cycleId);
    expect(asked.body.version).toBeGreaterThanOrEqual(fresh.version);
    expect(await counted()).toBe(before + 1);
    await stack.pool.query('UPDATE workflow_projections SET stale = false WHERE workflow_id = $1', [
      cycleWorkflowId(cycleId),
    ]);
    expect((await stack.call('GET', path, { token: organizer })).status).toBe(200);
    expect(await counted()).toBe(before + 1);
  });

  it('a read of a projection just marked stale waits for its repair instead of asking a workflow busy with it', async () => {
    // Marked stale a moment ago (a refused task's send withdrawn, a gap): the run's next whole send is on
    // its way, and a query meanwhile reached a workflow busy with the inputs that caused it — once making
    // a history its replay did not follow (test/api/input-burst.test.ts). The read waits, bounded.
    const { cycleId, workflowId, path } = await startCycle('2039');
    await eventually(async () => (await stack.call('GET', path, { token: organizer })).status === 200);
    const mark = () =>
      stack.pool.query('UPDATE workflow_projections SET stale = true, updated_at = now() WHERE workflow_id = $1', [
        workflowId,
      ]);
    const before = await staleCycleReadsAsked();
    // Repaired while the read waits: answered from the projection.
    await mark();
    const reading = stack.call('GET', path, { token: organizer });
    await new Promise((r) => setTimeout(r, 200));
    await stack.pool.query('UPDATE workflow_projections SET stale = false WHERE workflow_id = $1', [workflowId]);
    const repaired = await reading;
    expect(repaired.status, JSON.stringify(repaired.body)).toBe(200);
    expect(repaired.body.cycleId).toBe(cycleId);
    // Not repaired within the read's wait: 503 with Retry-After naming its rule, never a query. The run is
    // ended first: on its compressed calendar its own next send could repair the mark while the read waits.
    await stack.client.workflow.getHandle(workflowId).terminate('test over');
    await mark();
    const waited = await stack.call('GET', path, { token: organizer });
    expect(waited.status, JSON.stringify(waited.body)).toBe(503);
    expect(waited.body.error).toMatchObject({
      code: 'NOT_READY',
      details: [{ path: 'record', rule: 'being written' }],
    });
    expect(Number(waited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await staleCycleReadsAsked()).toBe(before);
  });

  it('a projection that a lost send left stale is repaired by the next input, not left to the readers to ask', async () => {
    const { workflowId, path } = await startCycle('2036');
    const stored = async () =>
      (
        await stack.pool.query<{ seq: number; stale: boolean }>(
          'SELECT seq, stale FROM workflow_projections WHERE workflow_id = $1',
          [workflowId],
        )
      ).rows[0]!;
    await eventually(async () => (await stored()).seq > 0);
    // Sends lost: the stored projection is two behind what the workflow has sent.
    await stack.pool.query('UPDATE workflow_projections SET seq = seq - 2 WHERE workflow_id = $1', [workflowId]);
    // The next input's send does not follow: the sink marks the projection stale and asks the run for
    // a whole send, which repairs it.
    const launched = await stack.call('POST', `${path}/launch`, { token: organizer, body: S.launch });
    expect(launched.status, JSON.stringify(launched.body)).toBe(200);
    await eventually(async () => !(await stored()).stale);
    const got = await stack.call('GET', path, { token: organizer });
    expect(got.body.stage).toBe('analysis');
    expect(got.body.version).toBeGreaterThanOrEqual(launched.body.version);
  });

  it('reads answer on connections of their own while every input connection is taken (a burst of inputs)', async () => {
    const report = await registerReport('letter', 'other', '来信');
    expect(report.status).toBe(201);
    const started = await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440306', '2035') });
    expect(started.status).toBe(201);
    const cycle = '/v1/cycles/440306:2035';
    const reads: [string, string][] = [
      [cycle, organizer],
      // Not a candidate yet: 404 from the database, like any read of one.
      [`${cycle}/candidates/d2`, organizer],
      [`/v1/reports/${report.body.reportId}`, intake],
    ];
    const expected = await Promise.all(reads.map(([path, token]) => stack.call('GET', path, { token })));
    expect(expected.map((r) => r.status)).toEqual([200, 404, 200]);
    // The inputs' pool has one connection and it is taken, as by a burst of inputs queued for it.
    const inputs = createPool(inject('databaseUrl'), { max: 1, role: APP_ROLE, connectionTimeoutMillis: 300 });
    const taken = await inputs.connect();
    const variant = await stack.serveVariant({ pool: inputs, readPool: stack.pool });
    try {
      const at = (path: string, token: string, init: RequestInit = {}) =>
        fetch(`${variant.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        });
      for (const [i, [path, token]] of reads.entries()) {
        const res = await at(path, token);
        expect(res.status, path).toBe(expected[i]!.status);
        // The same thing read (its workflows may have moved on since, so not the same version of it).
        const body = await res.json();
        const what = (b: any) => b.cycleId ?? b.id ?? b.error.message;
        expect(what(body)).toBe(what(expected[i]!.body));
      }
      // An input needs the taken pool: it is refused as an outage, and asked to come back.
      const triage = await at(`/v1/reports/${report.body.reportId}/triage`, intake, {
        method: 'POST',
        body: JSON.stringify({ kind: 'directCheck', unit: '区纪委', reason: '需要核实' }),
      });
      expect(triage.status).toBe(503);
      expect(triage.headers.get('retry-after')).toBeTruthy();
    } finally {
      await variant.close();
      taken.release();
      await inputs.end();
    }
  });
  it("a read that has to ask a workflow no worker answers is cut off by the read's bound, not the request deadline", async () => {
    // Under load (bench measurement 7, 12-06) a cycle whose projection stayed stale past its repair was
    // asked by a query that waited on a busy worker's replay for the request's whole 30 s, then failed.
    // The query's gRPC deadline is read where it is sent: no clock in the assertion.
    const { cycleId, workflowId, path } = await startCycle('2043');
    await eventually(async () => (await stack.call('GET', path, { token: organizer })).status === 200);
    const real = stack.client.connection;
    /** For each query the API sent: how far its gRPC deadline lay beyond the moment it was sent (ms). */
    const queryDeadlines: number[] = [];
    const variant = await serveWithWorkflowService(stack, 'queryWorkflow', (request, query) => {
      const deadline = (real as Connection).callContextStorage.getStore()?.deadline;
      queryDeadlines.push(deadline === undefined ? Infinity : Number(deadline) - Date.now());
      return query(request);
    });
    const resume = await stack.pauseWorker();
    try {
      await stack.pool.query(
        `UPDATE workflow_projections SET stale = true, updated_at = now() - interval '1 minute' WHERE workflow_id = $1`,
        [workflowId],
      );
      const read = await fetch(`${variant.url}${path}`, { headers: { authorization: `Bearer ${organizer}` } });
      const body = (await read.json()) as { error: unknown };
      expect(read.status, JSON.stringify(body)).toBe(503);
      expect(body.error).toMatchObject({ code: 'NOT_READY', details: [{ path: 'record', rule: 'being written' }] });
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      // It did ask (the repair was overdue), once, on a deadline of the read's own (1 s), well inside the
      // request's (30 s).
      expect(queryDeadlines).toHaveLength(1);
      expect(queryDeadlines[0]).toBeLessThanOrEqual(1_000);
    } finally {
      await resume();
      await variant.close();
    }
    // With a worker again, the same read is answered by the workflow.
    const answered = await eventually(async () => {
      const g = await stack.call('GET', path, { token: organizer });
      return g.status === 200 && g;
    });
    expect(answered.body.cycleId).toBe(cycleId);
    await stack.client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('GET /v1/reports/{id} carries the workflow state as its live part, sealed fields still by role; with the worker stopped every read still answers', async () => {
    const created = await registerReport('phone', 'voteBuying', '反映有关问题');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.reportId as string;
    const handle = stack.client.workflow.getHandle(reportWorkflowId(id));
    const liveEqualsQuery = async (token: string) => {
      const [got, asked] = await eventually(async () => {
        const q = await handle.query(getReportQuery);
        const g = (await stack.call('GET', `/v1/reports/${id}`, { token })).body;
        return same(g.live, q) && [g, q];
      });
      expect(got.live).toEqual(asked);
      return got;
    };
    const registered = await liveEqualsQuery(intake);
    expect(registered.live.status).toBe('verifying');
    expect(registered.text).toBe('反映有关问题');
    // The organizer reads the record and the live state, not the sealed text.
    const asOrganizer = await liveEqualsQuery(organizer);
    expect(asOrganizer.text).toBeUndefined();

    const triaged = await stack.call('POST', `/v1/reports/${id}/triage`, {
      token: intake,
      body: { kind: 'directCheck', unit: '区纪委', reason: '需要核实' },
    });
    expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
    // The triage's answer and the GET that follows at once agree.
    expect((await stack.call('GET', `/v1/reports/${id}`, { token: intake })).body.live).toEqual(triaged.body);
    expect((await liveEqualsQuery(intake)).live.triage).toBe('directCheck');

    const found = await stack.call('POST', `/v1/reports/${id}/findings`, {
      token: investigator,
      body: { finding: 'unsubstantiated', summary: '经查，反映问题不属实' },
    });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect((await stack.call('GET', `/v1/reports/${id}`, { token: intake })).body.live).toEqual(found.body);
    const closedReport = await liveEqualsQuery(investigator);
    expect(closedReport.live.status).toBe('closed');
    expect(closedReport.summary).toBe('经查，反映问题不属实');

    // A running cycle and an open report, then the worker stops: nothing can be replayed now, and
    // every read still answers, from Postgres, exactly what the workflows last said.
    const RUNNING = '/v1/cycles/440307:2033';
    expect(
      (await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440307', '2033') })).status,
    ).toBe(201);
    expect((await stack.call('POST', `${RUNNING}/launch`, { token: organizer, body: S.launch })).status).toBe(200);
    const runningHandle = stack.client.workflow.getHandle(cycleWorkflowId('440307:2033'));
    const runningState = await eventually(async () => {
      const q = await runningHandle.query(getStateQuery);
      const g = (await stack.call('GET', RUNNING, { token: organizer })).body;
      return same(g, q) && g;
    });
    expect(runningState.stage).toBe('analysis');
    const open = await registerReport('letter', 'other', '另一件来信');
    expect(open.status).toBe(201);
    const openHandle = stack.client.workflow.getHandle(reportWorkflowId(open.body.reportId));
    const openLive = await eventually(async () => {
      const q = await openHandle.query(getReportQuery);
      const g = (await stack.call('GET', `/v1/reports/${open.body.reportId}`, { token: intake })).body;
      return same(g.live, q) && g.live;
    });
    const lastCycle = await getCycle();
    // The cycle's supervision reads from its projection too (it asked the workflow: 503 with Temporal hung).
    const supervisionHandle = stack.client.workflow.getHandle(supervisionWorkflowId('440307:2033'));
    const runningSupervision = await eventually(async () => {
      const q = await supervisionHandle.query(getSupervisionQuery);
      const g = (await stack.call('GET', `${RUNNING}/supervision`, { token: organizer })).body;
      const { cycleStage: _, ...fromGet } = g;
      return q.checkpoints.length > 0 && same({ ...fromGet, cycleStage: q.cycleStage }, q) && g;
    });
    expect(runningSupervision.checkpoints.map((c: { phase: string }) => c.phase)).toEqual(['launch']);

    stack.worker.shutdown();
    await eventually(async () => stack.worker.getState() === 'STOPPED');
    // stop() in afterAll shuts the worker down again; it is already down.
    stack.worker.shutdown = () => undefined;
    const runningNow = await stack.call('GET', RUNNING, { token: organizer });
    expect(runningNow.status).toBe(200);
    expect(runningNow.body).toEqual(runningState);
    expect((await stack.call('GET', CYCLE, { token: organizer })).body).toEqual(lastCycle);
    const openNow = await stack.call('GET', `/v1/reports/${open.body.reportId}`, { token: intake });
    expect(openNow.status).toBe(200);
    expect(openNow.body.live).toEqual(openLive);
    const supervisionNow = await stack.call('GET', `${RUNNING}/supervision`, { token: organizer });
    expect(supervisionNow.status).toBe(200);
    expect(supervisionNow.body).toEqual(runningSupervision);
    const closedNow = await stack.call('GET', `/v1/reports/${id}`, { token: intake });
    expect(closedNow.body.live).toEqual(closedReport.live);

    // A report registered now waits for a worker to run its workflow's first task (under load: for
    // many seconds). Its GET does not wait for it: intake wrote the state the workflow starts from.
    const asked = async () => {
      const text = String((await stack.call('GET', '/metrics')).body);
      const line = text.split('\n').find((l) => l.startsWith('huanjie_reads_from_workflow_total{kind="report"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const askedBefore = await asked();
    const waiting = await registerReport('phone', 'voteBuying', '无人处理时登记');
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(201);
    const waitingNow = await stack.call('GET', `/v1/reports/${waiting.body.reportId}`, { token: intake });
    expect(waitingNow.status).toBe(200);
    expect(waitingNow.body.live).toMatchObject({
      reportId: waiting.body.reportId,
      status: 'verifying',
      triage: expect.any(String),
      triageRule: expect.any(String),
    });
    expect(await asked()).toBe(askedBefore);
  });
});

/** Reads of a cycle with a stale projection that asked its workflow, as /metrics counts them. */
/** Starts the organizer's cycle 440307:`year` through the API: its id, workflow id and path. */
async function startCycle(year: string): Promise<{ cycleId: string; workflowId: string; path: string }> {
  const started = await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440307', year) });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const cycleId = `440307:${year}`;
  return { cycleId, workflowId: cycleWorkflowId(cycleId), path: `/v1/cycles/${cycleId}` };
}

async function staleCycleReadsAsked(): Promise<number> {
  const text = String((await stack.call('GET', '/metrics')).body);
  const line = text
    .split('\n')
    .find((l) => l.startsWith('huanjie_reads_from_workflow_total{kind="cycle",reason="stale"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
