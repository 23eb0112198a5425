/**
 * A whole 换届 through the HTTP API on the real stack — Temporal dev server, worker, PostgreSQL —
 * from start to closed, then the record checked in Postgres. Through the typed client: every answer
 * is checked against its route's response schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { verifyAuditChain } from '../../activities/audit.js';
import type * as C from '../../domain/eager/cycle.js';
import type { dossierSchema } from '../../domain/eager/inspection.js';
import { eventually, inspectViaApi, loadSampleTree, recordHistory, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { errorOf, expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
const cycleId = '440306:2026';
const param = { cycleId };

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-李明'));
});
afterAll(() => stack?.stop());

const cycle = () => organizer.v1.cycles[':cycleId'];
const state = () => ok(cycle().$get({ param }));
const stageIs = (stage: C.CycleState['stage']) =>
  eventually(async () => {
    const s = await state();
    return s.stage === stage && s;
  });

describe('a cycle driven through the API from launch to the congress vote', () => {
  it('runs every stage, replaces a stopped candidate and a dropped nominee, and closes with elected officials', async () => {
    const started = await read(organizer.v1.cycles.$post({ json: S.startBody() }));
    expectStatus(started, 201);
    expect(started.body).toMatchObject({
      cycleId: '440306:2026',
      workflowId: 'cycle:440306:2026',
      state: { stage: 'launch', status: 'running' },
    });
    expect(started.body.state.jurisdiction.name).toBe('宝安区');

    // The same request again is the same cycle; another body for the same jurisdiction and term is a conflict.
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody() }))).status).toBe(200);
    const conflict = await read(
      organizer.v1.cycles.$post({ json: { ...S.startBody(), committees: { standing: 13, full: 31 } } }),
    );
    expectStatus(conflict, 409);
    expect(conflict.body.error.code).toBe('CONFLICT');

    expect((await read(cycle().launch.$post({ param, json: S.launch, header: {} }))).status).toBe(200);
    await stageIs('analysis');
    expect((await read(cycle().analysis.$post({ param, json: S.analysis, header: {} }))).status).toBe(200);
    await stageIs('recommendation');

    const round = (json: z.input<typeof C.recommendationRoundSchema>, key?: string) =>
      read(cycle()['recommendation-rounds'].$post({ param, json, header: key ? { 'idempotency-key': key } : {} }));
    const first = await round(S.cadreMeeting, 'round-cadre-0001');
    expectStatus(first, 200);
    expect(first.body.stage).toBe('recommendation');
    // A retry with the same key is applied once — the version does not move — instead of a duplicate error.
    const retried = await round(S.cadreMeeting, 'round-cadre-0001');
    expectStatus(retried, 200);
    expect(retried.body.version).toBe(first.body.version);
    // Without the key, the same round again is a duplicate.
    expect(errorOf(await round(S.cadreMeeting))?.code).toBe('DUPLICATE');
    expect((await round(S.fullCommittee)).status).toBe(200);

    const inspection = await stageIs('inspection');
    expect(inspection.candidates.map((c) => c.personId)).toEqual([
      's1',
      's2',
      's3',
      'd1',
      'd2',
      'd3',
      'd4',
      'd5',
      'd6',
    ]);

    // Each candidate is its own workflow; close their dossiers. s3 is stopped and s4 (next-ranked) comes in.
    const dossier = (personId: string, json: z.input<typeof dossierSchema>) =>
      read(cycle().candidates[':personId'].dossier.$post({ param: { cycleId, personId }, json, header: {} }));
    const stopped = await dossier('s3', { result: 'stopped', reason: '纪委监委廉政意见：不宜提名', cause: 'review' });
    expectStatus(stopped, 200);
    expect(stopped.body.status).toBe('stopped');
    await eventually(async () => (await state()).candidates.some((c) => c.personId === 's4' && c.opened));
    for (const p of ['s1', 's2', 's4', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6']) {
      expect((await inspectViaApi(stack, cycleId, p)).status, p).toBe('passed');
    }
    expect(errorOf(await dossier('s1', { result: 'passed' }))?.code).toBe('CLOSED');

    await stageIs('decision');
    expect((await read(cycle()['standing-committee'].$post({ param, json: S.standing, header: {} }))).status).toBe(200);
    expect((await read(cycle()['committee-vote'].$post({ param, json: S.vote, header: {} }))).status).toBe(200);

    const publicity = await stageIs('publicity');
    expect(publicity.nominees.map((n) => n.personId)).toEqual(['s1', 'd1', 'd2']);
    // A report against d1 during publicity: it holds d1 and the period; substantiated, d1 is dropped and d3 moves up.
    const hold = { name: 'petition-R001', reason: '公示期间收到举报，待核查', personId: 'd1' };
    expect((await read(cycle().holds.$post({ param, json: hold, header: {} }))).status).toBe(200);
    // Past its 1 s period (once its timer has fired: a loaded machine may take longer), the stage says what
    // holds it, not a period already over (found from outside).
    const held = await eventually(async () => {
      const now = await state();
      return now.waitingFor.includes('petition-R001') && now;
    });
    expect(held.stage).toBe('publicity');
    const dropped = await read(
      cycle()['nominee-drops'].$post({
        param,
        json: { personId: 'd1', reason: '举报部分属实，取消拟任资格', cause: 'report' },
        header: {},
      }),
    );
    expectStatus(dropped, 200);
    expect(dropped.body.nominees.find((n) => n.personId === 'd3')?.status).toBe('published');
    const release = { name: 'petition-R001', resolution: '已按举报核查结果处理' };
    expect((await read(cycle()['hold-releases'].$post({ param, json: release, header: {} }))).status).toBe(200);

    await stageIs('approval');
    expect((await read(cycle().approval.$post({ param, json: S.approval, header: {} }))).status).toBe(200);
    await stageIs('election');
    expect((await read(cycle().election.$post({ param, json: S.election(['d2', 'd3']), header: {} }))).status).toBe(
      200,
    );

    const closed = await eventually(async () => {
      const s = await state();
      return s.status === 'closed' && s;
    });
    expect(closed.stage).toBe('closed');
    expect(closed.results).toEqual([
      {
        positionId: 'secretary',
        title: '区委书记',
        seats: 1,
        elected: [{ personId: 's1', name: '张伟', votes: 281 }],
        unfilled: 0,
      },
      {
        positionId: 'deputy',
        title: '副区长',
        seats: 2,
        elected: [
          { personId: 'd2', name: '杨磊', votes: 260 },
          { personId: 'd3', name: '赵敏', votes: 250 },
        ],
        unfilled: 0,
      },
    ]);
    expect(closed.outcome).toEqual({ effectiveComplaints: 1, cadreViolations: 1, massPetitions: 0 });
  });

  it('left the record in Postgres: the cycle row, its people and a verifiable timeline', async () => {
    const {
      rows: [row],
    } = await stack.pool.query(
      `SELECT stage, status, results, outcome, closed_at FROM cycles WHERE id = '440306:2026'`,
    );
    expect(row).toMatchObject({ stage: 'closed', status: 'closed', outcome: { effectiveComplaints: 1 } });
    expect(row.results[1].elected.map((e: { name: string }) => e.name)).toEqual(['杨磊', '赵敏']);
    expect(row.closed_at).toBeInstanceOf(Date);

    const { rows: people } = await stack.pool.query(
      `SELECT person_id, name, candidate_status, nominee_status FROM cycle_people WHERE cycle_id = '440306:2026' ORDER BY person_id`,
    );
    const byId = Object.fromEntries(people.map((p) => [p.person_id, p]));
    expect(byId.s3).toMatchObject({ name: '李娜', candidate_status: 'stopped', nominee_status: null });
    expect(byId.s1).toMatchObject({ candidate_status: 'passed', nominee_status: 'elected' });
    expect(byId.d1).toMatchObject({ nominee_status: 'dropped' });
    expect(byId.d3).toMatchObject({ nominee_status: 'elected' });

    const timeline = await read(cycle().timeline.$get({ param }));
    expectStatus(timeline, 200);
    const actions = timeline.body.events.map((e) => e.action);
    for (const a of [
      'cycle.started',
      'launch.recorded',
      'analysis.recorded',
      'recommendation.round',
      'candidate.stopped',
      'candidate.replaced',
      'dossier.passed',
      'decision.standing',
      'decision.vote',
      'publicity.published',
      'hold.added',
      'nominee.dropped',
      'hold.released',
      'approval.recorded',
      'election.recorded',
      'cycle.closed',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(actions.filter((a) => a === 'stage.entered')).toHaveLength(8);
    const launchEvent = timeline.body.events.find((e) => e.action === 'launch.recorded');
    expect(launchEvent).toMatchObject({ actor: '组织部-李明', role: 'organizer', before: { stage: 'launch' } });
    expect(launchEvent?.requestId).toBeTruthy();
    expect(await verifyAuditChain(stack.pool)).toMatchObject({ ok: true });
  });

  it('lets operators find it by stage in Temporal visibility', async () => {
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of stack.client.workflow.list({
        query: `HuanjieStage = 'closed' AND HuanjieJurisdiction = '440306'`,
      }))
        ids.push(w.workflowId);
      return ids.includes('cycle:440306:2026') && ids;
    });
    expect(found).toContain('cycle:440306:2026');
    const description = await stack.client.workflow.getHandle('cycle:440306:2026').describe();
    expect(await description.staticSummary()).toBe('宝安区 2026 换届');
    // The baseline's fixtures (…-v1) are frozen; these are the newest (v7): the patch
    // tasks-never-empty in the cycle and its supervision, the input flag in candidates.
    await recordHistory(stack.client, 'cycle:440306:2026', 'cycle-closed-v7');
    await recordHistory(stack.client, 'supervision:440306:2026', 'supervision-closed-v7');
    await recordHistory(stack.client, 'candidate:440306:2026:s3', 'candidate-stopped-v7');
    await recordHistory(stack.client, 'candidate:440306:2026:d4', 'candidate-passed-v7');
  });
});
