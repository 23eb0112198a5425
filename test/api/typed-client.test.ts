/**
 * The main flows through the typed client (hono/client over HTTP, test/api/client.ts): a cycle from
 * start to closed, the reads beside it (list, timeline, candidate, supervision, review inbox), a
 * report, the risk register, the ledgers, and a campaign whose cycles start exactly as an API-started
 * one does. Every JSON answer is checked against its route's response schema on the way in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as C from '../../domain/eager/cycle.js';
import { quickTemplate } from '../../scripts/simulator.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { apiClient, nonConformance, responseSchema, type ApiClient } from './client.js';

let stack: Stack;
let api: ApiClient;
const cycleId = '440306:2037';
const param = { cycleId };

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  api = apiClient(stack.api.url, await stack.token(['organizer'], '440300', '组织部-李明'));
});
afterAll(() => stack?.stop());

// A term no other test file uses: workflow ids and rows are shared by every test file of a run.
const startBody = (jurisdictionId: string) => S.startBody(jurisdictionId, '2037');

async function state() {
  const res = await api.v1.cycles[':cycleId'].$get({ param });
  if (res.status !== 200) throw new Error(`GET cycle: ${res.status}`);
  return res.json();
}
const stageIs = (stage: C.CycleState['stage']) => eventually(async () => (await state()).stage === stage);

describe('the main flows through the typed client', () => {
  it('checks answers against the schema of their own route', () => {
    const ledger = responseSchema('GET', '/v1/reports/ledger', 200)!;
    expect(responseSchema('GET', '/v1/reports/R-0123456789abcdef', 200)).not.toBe(ledger);
    const list = responseSchema('GET', '/v1/cycles', 200)!;
    expect(nonConformance(list, { cycles: [], next: null })).toBeUndefined();
    expect(nonConformance(list, { cycles: [], next: null, total: 3 })).toMatch(/does not describe: total/);
    expect(nonConformance(list, { cycles: [{ id: 'x' }], next: null })).toMatch(/cycles\.0\.jurisdictionId/);
    expect(responseSchema('POST', '/v1/cycles', 418)).toBeUndefined();
  });

  it('drives a cycle from start to closed, every answer typed and as documented', async () => {
    const started = await api.v1.cycles.$post({ json: startBody('440306') });
    expect(started.status).toBe(201);
    if (started.status !== 201) return;
    const body = await started.json();
    expect(body.state.jurisdiction.name).toBe('宝安区');
    expect(body.state.stage).toBe('launch');

    const again = await api.v1.cycles.$post({ json: startBody('440306') });
    expect(again.status).toBe(200);
    const conflict = await api.v1.cycles.$post({
      json: { ...startBody('440306'), committees: { standing: 13, full: 31 } },
    });
    expect(conflict.status).toBe(409);
    if (conflict.status === 409) expect((await conflict.json()).error.code).toBe('CONFLICT');

    const cycle = api.v1.cycles[':cycleId'];
    expect((await cycle.launch.$post({ param, json: S.launch, header: {} })).status).toBe(200);
    await stageIs('analysis');
    expect((await cycle.analysis.$post({ param, json: S.analysis, header: {} })).status).toBe(200);
    await stageIs('recommendation');
    const first = await cycle['recommendation-rounds'].$post({
      param,
      json: S.cadreMeeting,
      header: { 'idempotency-key': 'typed-round-0001' },
    });
    expect(first.status).toBe(200);
    const duplicate = await cycle['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header: {} });
    expect(duplicate.status).toBe(409);
    if (duplicate.status === 409) expect((await duplicate.json()).error.code).toBe('DUPLICATE');
    expect((await cycle['recommendation-rounds'].$post({ param, json: S.fullCommittee, header: {} })).status).toBe(200);
    await stageIs('inspection');

    // The candidate's own state, typed: it is inspecting, with its dossier open.
    const candidate = api.v1.cycles[':cycleId'].candidates[':personId'];
    const s1 = await eventually(async () => {
      const res = await candidate.$get({ param: { cycleId, personId: 's1' } });
      return res.status === 200 && (await res.json());
    });
    expect(s1).toMatchObject({ personId: 's1', status: 'inspecting' });
    const stopped = await candidate.stop.$post({
      param: { cycleId, personId: 's3' },
      json: { reason: '纪委监委廉政意见：不宜提名', cause: 'review' },
      header: {},
    });
    expect(stopped.status).toBe(200);
    if (stopped.status === 200) expect((await stopped.json()).status).toBe('stopped');
    await eventually(async () => (await state()).candidates.some((c) => c.personId === 's4' && c.opened));

    // The review inbox of one department, typed rows with their deadlines.
    const reviewer = apiClient(stack.api.url, await stack.token(['reviewer:discipline'], '440300', 'reviewer'));
    const inbox = await reviewer.v1.reviews.inbox.$get({ query: {} });
    expect(inbox.status).toBe(200);
    if (inbox.status === 200) {
      const { tasks } = await inbox.json();
      expect(tasks.length).toBeGreaterThan(0);
      expect(tasks.every((t) => t.department === 'discipline' && typeof t.openedAt === 'string')).toBe(true);
    }

    for (const p of ['s1', 's2', 's4', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'])
      expect((await inspectViaApi(stack, cycleId, p)).status, p).toBe('passed');
    const matters = await candidate['personal-matters'].$get({ param: { cycleId, personId: 's1' } });
    expect(matters.status).toBe(200);
    if (matters.status === 200) expect((await matters.json()).outcome).toBe('consistent');

    await stageIs('decision');
    expect((await cycle['standing-committee'].$post({ param, json: S.standing, header: {} })).status).toBe(200);
    expect((await cycle['committee-vote'].$post({ param, json: S.vote, header: {} })).status).toBe(200);
    await stageIs('publicity');
    await stageIs('approval');
    const approved = await cycle.approval.$post({ param, json: S.approval, header: {} });
    expect(approved.status).toBe(200);
    await stageIs('election');
    expect((await cycle.election.$post({ param, json: S.election(['d1', 'd2']), header: {} })).status).toBe(200);
    const closed = await eventually(async () => {
      const s = await state();
      return s.status === 'closed' && s;
    });
    expect(closed.results.map((r) => r.elected.map((e) => e.personId))).toEqual([['s1'], ['d1', 'd2']]);

    const ended = await cycle.abort.$post({ param, json: { reason: '已结束的换届不可终止' }, header: {} });
    expect(ended.status).toBe(409);
    if (ended.status === 409) expect((await ended.json()).error.code).toBe('CLOSED');
  });

  it('reads the list, the timeline and the supervision of the cycle', async () => {
    // Other files' cycles share the database: the district's list, one large page.
    const list = await api.v1.cycles.$get({ query: { scope: '440306', limit: '500' } });
    expect(list.status).toBe(200);
    if (list.status === 200) {
      const { cycles, next } = await list.json();
      expect(cycles.find((c) => c.id === cycleId)).toMatchObject({ jurisdictionName: '宝安区', status: 'closed' });
      expect(next === null || typeof next === 'string').toBe(true);
    }
    const timeline = await api.v1.cycles[':cycleId'].timeline.$get({ param });
    expect(timeline.status).toBe(200);
    if (timeline.status === 200) {
      const t = await timeline.json();
      expect(t.cycle.status).toBe('closed');
      expect(t.people.find((p) => p.personId === 's1')?.nomineeStatus).toBe('elected');
      expect(t.events.map((e) => e.action)).toContain('cycle.closed');
    }
    const supervision = await api.v1.cycles[':cycleId'].supervision.$get({ param });
    expect(supervision.status).toBe(200);
    if (supervision.status === 200)
      expect((await supervision.json()).checkpoints.map((c) => c.phase)).toEqual(['launch', 'inspection', 'election']);
    const points = await api.v1.cycles[':cycleId'].supervision.monitoring.$get({ param, query: {} });
    expect(points.status).toBe(200);
  });

  it('registers a report and reads it, its timeline and the ledger', async () => {
    const intake = apiClient(stack.api.url, await stack.token(['intake'], '440300', '信访室'));
    const registered = await intake.v1.reports.$post({
      header: {},
      json: {
        channel: 'phone',
        category: 'other',
        target: { type: 'official', jurisdictionId: '440306', name: '某干部' },
        text: '反映某干部工作作风问题',
        receivedAt: '2026-09-29T10:15:00+08:00',
        reporter: { phone: '13800000000' },
      },
    });
    expect(registered.status).toBe(201);
    if (registered.status !== 201) return;
    const { reportId } = await registered.json();
    const one = await eventually(async () => {
      const res = await intake.v1.reports[':reportId'].$get({ param: { reportId } });
      const body = res.status === 200 && (await res.json());
      return body && body.live && body;
    });
    expect(one).toMatchObject({ id: reportId, channel: 'phone', reporter: { phone: '13800000000' } });
    expect(one.target).toEqual({ name: '某干部' });
    const timeline = await intake.v1.reports[':reportId'].timeline.$get({ param: { reportId } });
    expect(timeline.status).toBe(200);
    // The list (part of AppType like every route): the report's row, and never a sealed field.
    const list = await intake.v1.reports.$get({ query: { scope: '440306', status: 'open' } });
    expect(list.status).toBe(200);
    if (list.status === 200) {
      const row = (await list.json()).reports.find((r) => r.id === reportId);
      expect(row).toMatchObject({ jurisdictionId: '440306', channel: 'phone', targetType: 'official' });
      expect(JSON.stringify(row)).not.toMatch(/某干部|13800000000|工作作风/);
    }
    const ledger = await intake.v1.reports.ledger.$get({ query: { scope: '440306' } });
    expect(ledger.status).toBe(200);
    if (ledger.status === 200) expect((await ledger.json()).received).toBeGreaterThanOrEqual(1);
  });

  it('registers, lists, rolls up and resolves a risk', async () => {
    const registered = await api.v1.risks.$post({
      header: {},
      json: {
        jurisdictionId: '440306',
        stage: 'election',
        category: 'petitions',
        level: 'low',
        description: '个别群众反映征地补偿问题',
        measures: ['走访化解'],
        owner: '街道党工委',
      },
    });
    expect(registered.status).toBe(201);
    if (registered.status !== 201) return;
    const { riskId, deadline } = await registered.json();
    expect(deadline).toBeNull();
    const list = await api.v1.risks.$get({ query: { scope: '440306' } });
    expect(list.status).toBe(200);
    if (list.status === 200) expect((await list.json()).risks.map((r) => r.id)).toContain(riskId);
    const resolved = await api.v1.risks[':riskId'].resolve.$post({
      param: { riskId },
      json: { resolution: '已走访化解' },
      header: {},
    });
    expect(resolved.status).toBe(200);
    if (resolved.status === 200) expect(await resolved.json()).toEqual({ riskId, status: 'resolved' });
    const again = await api.v1.risks[':riskId'].resolve.$post({
      param: { riskId },
      json: { resolution: '已走访化解' },
      header: {},
    });
    expect(again.status).toBe(409);
    const register = await api.v1.risks.register.$get({ query: { scope: '440306' } });
    expect(register.status).toBe(200);
    if (register.status === 200)
      expect((await register.json()).byLevelStatus['low/resolved']).toBeGreaterThanOrEqual(1);
  });

  it('answers the daily ledger', async () => {
    const ledger = await api.v1.ledger.$get({ query: { scope: '440300' } });
    expect(ledger.status).toBe(200);
    if (ledger.status === 200) {
      const l = await ledger.json();
      expect(l.source).toBe('computed');
      expect(l.subtree.cycles).toBeGreaterThanOrEqual(1);
    }
  });

  it("starts a campaign's cycles with the same summary, details and memo as an API-started cycle", async () => {
    const template = quickTemplate(5);
    // 440307 (one county of the sample tree) by hand; the townships of 440306 by a campaign.
    const byApi = await api.v1.cycles.$post({
      json: {
        jurisdictionId: '440307',
        term: '2037',
        positions: template.positions,
        committees: template.committees,
        policy: template.policy,
      },
    });
    expect(byApi.status).toBe(201);
    const campaign = await api.v1.campaigns.$post({
      json: { rootId: '440306', level: 'township', term: '2037', window: 5, template },
    });
    expect(campaign.status).toBe(201);
    // A level not below the root's reaches no place under it: 422 naming the level (found from outside: 201).
    for (const level of ['county', 'city'] as const) {
      const refused = await api.v1.campaigns.$post({
        json: { rootId: '440306', level, term: '2037', window: 5, template },
      });
      expect(refused.status).toBe(422);
      if (refused.status === 422)
        expect((await refused.json()).error.details).toEqual([
          { path: 'level', rule: "a level below the root's (county)" },
        ]);
    }
    if (campaign.status !== 201) return;
    const { campaignId } = await campaign.json();
    const progress = await eventually(async () => {
      const res = await api.v1.campaigns[':campaignId'].$get({ param: { campaignId } });
      const body = res.status === 200 && (await res.json());
      return body && body.launched > 0 && body;
    });
    const launchedId = progress.inFlight[0] ?? progress.finishedEarly[0];
    expect(launchedId).toBeTruthy();

    const fromApi = await stack.client.workflow.getHandle('cycle:440307:2037').describe();
    const fromCampaign = await stack.client.workflow.getHandle(`cycle:${launchedId}`).describe();
    expect(await fromApi.staticSummary()).toMatch(/ 2037 换届$/);
    expect(await fromCampaign.staticSummary()).toMatch(/ 2037 换届$/);
    expect(await fromApi.staticDetails()).toMatch(/2037 年换届：党委书记×1$/);
    expect(await fromCampaign.staticDetails()).toMatch(/（\d+，township）2037 年换届：党委书记×1$/);
    expect(fromApi.memo?.requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(fromCampaign.memo?.requestHash).toMatch(/^[0-9a-f]{64}$/);

    // The campaign's cycle is the one POST /v1/cycles would have started with the same body: a
    // repeat of that body answers 200 with it, another body 409.
    const jurisdictionId = launchedId!.slice(0, launchedId!.lastIndexOf(':'));
    const body = { jurisdictionId, term: '2037', ...template };
    const same = await api.v1.cycles.$post({ json: body });
    expect(same.status).toBe(200);
    const other = await api.v1.cycles.$post({ json: { ...body, committees: { standing: 7, full: 21 } } });
    expect(other.status).toBe(409);
  });
});
