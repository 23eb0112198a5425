/**
 * Issue 11.6: the answer to a stage input reflects every consequence of that input — the stage it
 * moved to, or why it waits — so a client sends the next input straight after a 200, without
 * polling. Only the publicity period, which ends by the clock, is waited for.
 */
import type { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleStartOptions } from '../../activities/cycle-start.js';
import { policySchema } from '../../domain/eager/policy.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { serveWithWorkflowService } from './temporal-variant.js';
import * as S from '../scenario.js';
import { apiClient, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-李明'));
});
afterAll(() => stack?.stop());

const cycle = () => organizer.v1.cycles[':cycleId'];
const header = {};

describe('a stage input answers where the cycle now stands', () => {
  it('lets every input follow the previous 200 at once, from launch to the election', async () => {
    const param = { cycleId: '440306:2031' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440306', '2031') }))).status).toBe(201);
    expect(await ok(cycle().launch.$post({ param, json: S.launch, header }))).toMatchObject({ stage: 'analysis' });
    expect(await ok(cycle().analysis.$post({ param, json: S.analysis, header }))).toMatchObject({
      stage: 'recommendation',
    });
    const rounds = cycle()['recommendation-rounds'];
    expect(await ok(rounds.$post({ param, json: S.cadreMeeting, header }))).toMatchObject({
      stage: 'recommendation',
    });
    const inspection = await ok(rounds.$post({ param, json: S.fullCommittee, header }));
    expect(inspection.stage).toBe('inspection');
    expect(inspection.candidates.every((c) => c.opened)).toBe(true);

    const people = inspection.candidates.map((c) => c.personId);
    for (const p of people) expect((await inspectViaApi(stack, '440306:2031', p)).status, p).toBe('passed');
    // The last dossier's 200 means the cycle has heard it: the standing committee is taken at once.
    expect(await ok(cycle()['standing-committee'].$post({ param, json: S.standing, header }))).toMatchObject({
      stage: 'decision',
    });
    const publicity = await ok(cycle()['committee-vote'].$post({ param, json: S.vote, header }));
    expect(publicity.stage).toBe('publicity');
    expect(publicity.nominees.every((n) => n.status === 'published')).toBe(true);

    // Publicity ends by the clock, not by an input.
    await eventually(async () => (await ok(cycle().$get({ param }))).stage === 'approval');
    // The approval is the upper level's: the district's own organization department may not record it
    // (found from outside: it approved its own nominees under an authority it named itself).
    const district = stack.as(await stack.token(['organizer'], '440306', '宝安区委组织部'));
    const selfApproved: any = await read(
      district.v1.cycles[':cycleId'].approval.$post({
        param,
        json: { ...S.approval, authority: '宝安区自己' },
        header,
      }),
    );
    expect(selfApproved.status, JSON.stringify(selfApproved.body)).toBe(403);
    expect(selfApproved.body.error.details).toEqual([{ path: 'scope', rule: "above the cycle's jurisdiction" }]);
    expect((await ok(cycle().$get({ param }))).stage).toBe('approval');
    expect(await ok(cycle().approval.$post({ param, json: S.approval, header }))).toMatchObject({
      stage: 'election',
    });
    const electionKey = { 'idempotency-key': 'election-440306-2031' };
    const election = { param, json: S.election(['d1', 'd2']), header: electionKey };
    expect(await ok(cycle().election.$post(election))).toMatchObject({ stage: 'closed', status: 'closed' });
    // Its answer lost, the client retries once the cycle's workflow has ended: the input that closed the
    // cycle answers as it did, not 409 (it is no new input to a closed cycle).
    const run = stack.client.workflow.getHandle(cycleWorkflowId('440306:2031'));
    await eventually(async () => (await run.describe()).status.name === 'COMPLETED');
    const retried: any = await read(cycle().election.$post(election));
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ stage: 'closed', status: 'closed' });
  });

  it('says why it waits when a hold keeps the gate shut, and moves on the moment it is released', async () => {
    const param = { cycleId: '440307:2031' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2031') }))).status).toBe(201);
    const hold = (json: { name: string; reason: string; stage?: 'analysis' }) =>
      ok(cycle().holds.$post({ param, json, header }));
    const release = (json: { name: string; resolution: string }) =>
      ok(cycle()['hold-releases'].$post({ param, json, header }));
    await hold({ name: 'watch-R7', reason: '高风险隐患待督办' });
    const held = await ok(cycle().launch.$post({ param, json: S.launch, header }));
    expect(held.stage).toBe('launch');
    expect(held.waitingFor).toContain('watch-R7');
    expect(await release({ name: 'watch-R7', resolution: '已化解' })).toMatchObject({ stage: 'analysis' });
    // A hold on the analysis gate, then a suspension: released, the suspension still keeps it, and says so.
    await hold({ name: 'supervision-F1', reason: '督查发现问题待整改', stage: 'analysis' });
    expect((await ok(cycle().analysis.$post({ param, json: S.analysis, header }))).waitingFor).toContain(
      'supervision-F1',
    );
    await ok(cycle().suspend.$post({ param, json: { reason: '待查清问题' }, header }));
    const suspended = await release({ name: 'supervision-F1', resolution: '已整改' });
    expect(suspended).toMatchObject({ stage: 'analysis', status: 'suspended' });
    expect(suspended.waitingFor).toContain('待查清问题');
    expect(await ok(cycle().resume.$post({ param, json: { reason: '已查清' }, header }))).toMatchObject({
      stage: 'recommendation',
      status: 'running',
    });
  });

  it("releases a hand hold only by the role that raised it: the supervision team's is not the organizer's to lift", async () => {
    const param = { cycleId: '440307:2096' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2096') }))).status).toBe(201);
    const supervisor = stack.as(await stack.token(['supervisor'], '440300', '督查组'));
    const investigator = stack.as(await stack.token(['investigator'], '440300', '查核组'));
    const as = (who: ApiClient) => who.v1.cycles[':cycleId'];
    await ok(as(supervisor).holds.$post({ param, json: { name: 'sup-1', reason: '督查组暂停' }, header }));
    await ok(as(organizer).holds.$post({ param, json: { name: 'org-1', reason: '组织部暂停' }, header }));
    for (const [who, name] of [
      [organizer, 'sup-1'],
      [investigator, 'sup-1'],
      [investigator, 'org-1'],
      [supervisor, 'org-1'],
    ] as const) {
      const refused: any = await read(
        as(who)['hold-releases'].$post({ param, json: { name, resolution: '解除' }, header }),
      );
      expect(refused.status, name).toBe(409);
      expect(refused.body.error.details, name).toEqual([expect.objectContaining({ path: 'name' })]);
    }
    const holds = async () => (await ok(cycle().$get({ param }))).holds.map((h: { name: string }) => h.name);
    expect(await holds()).toEqual(expect.arrayContaining(['sup-1', 'org-1']));
    await ok(
      as(supervisor)['hold-releases'].$post({ param, json: { name: 'sup-1', resolution: '督查组解除' }, header }),
    );
    await ok(
      as(organizer)['hold-releases'].$post({ param, json: { name: 'org-1', resolution: '组织部解除' }, header }),
    );
    expect(await holds()).toEqual([]);
    // Raised by a token of two hand-hold roles, it is released only by one holding both: a supervisor who
    // is also an organizer keeps the supervision's protection (found from outside: either role lifted it).
    const both = stack.as(await stack.token(['organizer', 'supervisor'], '440300', '组织部兼督查'));
    await ok(as(both).holds.$post({ param, json: { name: 'both-1', reason: '双重身份暂停' }, header }));
    for (const who of [organizer, supervisor]) {
      const refused: any = await read(
        as(who)['hold-releases'].$post({ param, json: { name: 'both-1', resolution: '解除' }, header }),
      );
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/organizer and supervisor/);
    }
    await ok(as(both)['hold-releases'].$post({ param, json: { name: 'both-1', resolution: '解除' }, header }));
    expect(await holds()).toEqual([]);
    // The city's hold on a district's cycle is not the district's to lift: a release comes from the
    // raiser's level or above (found from outside: the district organizer released the city's).
    const district = stack.as(await stack.token(['organizer'], '440307', '宝安区委组织部'));
    const province = stack.as(await stack.token(['organizer'], '440000', '省委组织部'));
    await ok(as(organizer).holds.$post({ param, json: { name: 'city-1', reason: '市委组织部暂停' }, header }));
    expect((await ok(cycle().$get({ param }))).holds).toEqual([
      expect.objectContaining({ name: 'city-1', raisedIn: '440300', raisedAs: ['organizer'] }),
    ]);
    const fromBelow: any = await read(
      as(district)['hold-releases'].$post({ param, json: { name: 'city-1', resolution: '区里解除' }, header }),
    );
    expect(fromBelow.status).toBe(409);
    expect(fromBelow.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    await ok(
      as(province)['hold-releases'].$post({ param, json: { name: 'city-1', resolution: '省委组织部解除' }, header }),
    );
    await ok(as(district).holds.$post({ param, json: { name: 'district-1', reason: '区委组织部暂停' }, header }));
    await ok(
      as(organizer)['hold-releases'].$post({ param, json: { name: 'district-1', resolution: '市里解除' }, header }),
    );
    expect(await holds()).toEqual([]);
  });

  it("lifts the city's suspension of a district's cycle only from the city or above", async () => {
    const param = { cycleId: '440307:2123' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2123') }))).status).toBe(201);
    const district = stack.as(await stack.token(['organizer'], '440307', '福田区委组织部')).v1.cycles[':cycleId'];
    await ok(cycle().suspend.$post({ param, json: { reason: '市委组织部暂停' }, header }));
    for (const refused of [
      await read(district.resume.$post({ param, json: { reason: '区里恢复' }, header })),
      await read(district.abort.$post({ param, json: { reason: '区里终止' }, header })),
    ] as any[]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.details).toEqual([
        { path: 'scope', rule: 'from 440300, where it was suspended, or above' },
      ]);
    }
    expect((await ok(cycle().$get({ param }))).status).toBe('suspended');
    expect((await ok(cycle().resume.$post({ param, json: { reason: '市里恢复' }, header }))).status).toBe('running');
    // Its own suspension the district lifts itself.
    await ok(district.suspend.$post({ param, json: { reason: '区里暂停' }, header }));
    expect((await ok(district.resume.$post({ param, json: { reason: '区里恢复' }, header }))).status).toBe('running');
  });

  // Found from outside (12-07): the API checked the caller against the hold or suspension it read, and the
  // cycle applied the input to whatever stood there when it came — the city's hold of the same name, raised
  // in between, was lifted by the district (1 round in 5), and the city's suspension aborted by it.
  it("never lets the district's releases and abort sent as the city raises and suspends lift the city's hold or suspension", async () => {
    const district = stack.as(await stack.token(['organizer'], '440307', '福田区委组织部')).v1.cycles[':cycleId'];
    const param = { cycleId: '440307:2124' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2124') }))).status).toBe(201);
    // What the API checked is the API's to say: a body naming it is refused, naming the field.
    for (const [route, json] of [
      ['hold-releases', { name: 'x', resolution: 'y', asChecked: null }],
      ['abort', { reason: 'y', asChecked: { suspendedIn: null } }],
    ] as const) {
      const res: any = await read((district as any)[route].$post({ param, json, header }));
      expect(res.status, route).toBe(400);
      expect(JSON.stringify(res.body.error.details), route).toContain('asChecked');
    }
    for (let round = 0; round < 6; round++) {
      const name = `petition-${round}`;
      const release = () =>
        read(district['hold-releases'].$post({ param, json: { name, resolution: '区里解除' }, header }));
      await ok(district.holds.$post({ param, json: { name, reason: '区里暂停' }, header }));
      const answers = await Promise.all([
        release(),
        release(),
        read(cycle().holds.$post({ param, json: { name, reason: '市里暂停' }, header })),
        release(),
        release(),
      ]);
      for (const a of answers) expect([200, 404, 409], JSON.stringify(a.body)).toContain(a.status);
      const timeline = await ok(cycle().timeline.$get({ param }));
      const acts = timeline.events
        .filter((e) => e.action.startsWith('hold.') && (e.detail as { input?: { name?: string } }).input?.name === name)
        .map((e) => `${e.action}:${e.actor}`);
      // However the five interleave, whatever the city raised is still there, or the city lifted it itself.
      const cityRaised = acts.indexOf('hold.added:组织部-李明');
      if (cityRaised >= 0) expect(acts.slice(cityRaised + 1), acts.join(' ')).toEqual([]);
      const holds = (await ok(cycle().$get({ param }))).holds.filter((h) => h.name === name);
      expect(holds.map((h) => h.raisedIn)).toEqual(cityRaised >= 0 ? ['440300'] : []);
      if (cityRaised >= 0)
        await ok(cycle()['hold-releases'].$post({ param, json: { name, resolution: '市里解除' }, header }));
    }
    for (const term of ['2125', '2126', '2127']) {
      const cycleId = `440307:${term}`;
      expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', term) }))).status).toBe(201);
      const [suspended, aborted] = await Promise.all([
        read(cycle().suspend.$post({ param: { cycleId }, json: { reason: '市委组织部暂停' }, header })),
        read(district.abort.$post({ param: { cycleId }, json: { reason: '区里终止' }, header })),
      ]);
      const state = await ok(cycle().$get({ param: { cycleId } }));
      // One of the two came first: the district's abort of a running cycle, or the city's suspension that
      // the district's abort may not end — never both.
      expect([suspended.status, aborted.status].sort(), JSON.stringify([suspended.body, aborted.body])).not.toEqual([
        200, 200,
      ]);
      expect(state.status).toBe(aborted.status === 200 ? 'aborted' : 'suspended');
      if (state.status === 'suspended')
        await ok(cycle().abort.$post({ param: { cycleId }, json: { reason: '测试结束' }, header }));
    }
  });

  // Found from outside (12-07): aborted during inspection, the answer said status aborted while its waitingFor
  // still waited on the candidates' inspections (its candidates' stops follow it, as the README says).
  it("answers an abort during inspection with the cycle ended and why, not the stage's wait", async () => {
    const param = { cycleId: '440307:2129' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2129') }))).status).toBe(201);
    await ok(cycle().launch.$post({ param, json: S.launch, header }));
    await ok(cycle().analysis.$post({ param, json: S.analysis, header }));
    await ok(cycle()['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header }));
    expect((await ok(cycle()['recommendation-rounds'].$post({ param, json: S.fullCommittee, header }))).stage).toBe(
      'inspection',
    );
    const aborted = await ok(cycle().abort.$post({ param, json: { reason: '区划调整' }, header }));
    expect(aborted).toMatchObject({ status: 'aborted', waitingFor: '已终止：区划调整' });
  });

  // Found from outside (12-07): the retry's checks ran again on what the resume itself had led to.
  it('answers a retried resumption with the resumption it took, though another level has suspended the cycle since', async () => {
    const district = stack.as(await stack.token(['organizer'], '440307', '福田区委组织部')).v1.cycles[':cycleId'];
    const param = { cycleId: '440307:2128' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2128') }))).status).toBe(201);
    await ok(district.suspend.$post({ param, json: { reason: '区里暂停' }, header }));
    const retry = { 'idempotency-key': 'resume-2128-first' };
    const resume = () => read(district.resume.$post({ param, json: { reason: '区里恢复' }, header: retry }));
    expect((await resume()).status).toBe(200);
    await ok(cycle().suspend.$post({ param, json: { reason: '市委组织部暂停' }, header }));
    const again: any = await resume();
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect([again.body.status, again.body.suspendedIn]).toEqual(['suspended', '440300']);
    // A new resumption by the district is checked as always: the city's suspension is not its to lift.
    const fresh: any = await read(
      district.resume.$post({ param, json: { reason: '区里恢复' }, header: { 'idempotency-key': 'resume-2128-2' } }),
    );
    expect(fresh.status).toBe(409);
    const timeline = await ok(cycle().timeline.$get({ param }));
    expect(timeline.events.filter((e) => e.action === 'cycle.resumed')).toHaveLength(1);
  });

  it('answers a retried release with the release it took, though another hand has raised the hold again since', async () => {
    const param = { cycleId: '440307:2098' };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2098') }))).status).toBe(201);
    const supervisor = stack.as(await stack.token(['supervisor'], '440300', '督查组'));
    const as = (who: ApiClient) => who.v1.cycles[':cycleId'];
    const release = { name: 'watch-1', resolution: '组织部解除' };
    const retry = { 'idempotency-key': 'release-watch-1-first' };
    await ok(as(organizer).holds.$post({ param, json: { name: 'watch-1', reason: '组织部暂停' }, header }));
    const first = await ok(as(organizer)['hold-releases'].$post({ param, json: release, header: retry }));
    expect(first.holds).toEqual([]);
    await ok(as(supervisor).holds.$post({ param, json: { name: 'watch-1', reason: '督查组暂停' }, header }));
    // The retry (a lost answer, say) is the release already taken: 200, and the supervision's hold stays.
    const again: any = await read(as(organizer)['hold-releases'].$post({ param, json: release, header: retry }));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.holds).toEqual([expect.objectContaining({ name: 'watch-1', raisedAs: ['supervisor'] })]);
    // A new release by the organizer is checked as always: the supervision's hold is not theirs to lift.
    const fresh: any = await read(
      as(organizer)['hold-releases'].$post({
        param,
        json: release,
        header: { 'idempotency-key': 'release-watch-1-2' },
      }),
    );
    expect(fresh.status).toBe(409);
    const timeline = await ok(as(organizer).timeline.$get({ param }));
    expect(timeline.events.filter((e: { action: string }) => e.action === 'hold.released')).toHaveLength(1);
  });

  it('answers the round that ends the recommendation only once every candidate is open for inspection', async () => {
    // Sixty candidates: starting their workflows takes longer than recording the round itself.
    const param = { cycleId: '440308:2031' };
    const people = Array.from({ length: 60 }, (_, i) => `m${i + 1}`);
    const round = (round: 'cadreMeeting' | 'fullCommittee', voters: number) => ({
      round,
      voters,
      observers: 0,
      tallies: [
        {
          positionId: 'member',
          persons: people.map((personId, i) => ({ personId, name: `委员${i}`, votes: 1 + (i % 10) })),
        },
      ],
    });
    const body = {
      ...S.startBody('440308', '2031'),
      positions: [{ id: 'member', title: '委员', seats: 20 }],
    };
    expect((await read(organizer.v1.cycles.$post({ json: body }))).status).toBe(201);
    await ok(cycle().launch.$post({ param, json: S.launch, header }));
    await ok(cycle().analysis.$post({ param, json: S.analysis, header }));
    const rounds = cycle()['recommendation-rounds'];
    await ok(rounds.$post({ param, json: round('cadreMeeting', 100), header }));
    const answer = await ok(rounds.$post({ param, json: round('fullCommittee', 31), header }));
    expect(answer.stage).toBe('inspection');
    expect(answer.candidates).toHaveLength(60);
    expect(answer.candidates.filter((c) => !c.opened)).toEqual([]);
  });
});

/**
 * An input retried with its Idempotency-Key is applied once, however late: Temporal takes an update id
 * once per run only, so a retry sent after the cycle continued as new ran the input again (found from
 * outside: a hold raised twice, a cycle suspended again ten minutes later). The answer is kept in
 * PostgreSQL (api/updates.ts). A cycle that continues as new every 30 events, and more inputs after the
 * first than the cycle itself remembers answers for.
 */
describe('an Idempotency-Key across a continue-as-new', () => {
  it('a raise and a release retried after the cycle continued as new answer as they did and apply nothing', async () => {
    const handle = await startShortRunCycle('2077');
    const firstRun = handle.firstExecutionRunId;
    const param = { cycleId: '440305:2077' };
    const cycle = organizer.v1.cycles[':cycleId'];
    const raise = {
      param,
      json: { name: 'dup-x', reason: '只此一次' },
      header: { 'idempotency-key': 'dupx-raise-0001' },
    };
    const release = {
      param,
      json: { name: 'dup-x', resolution: '已解除' },
      header: { 'idempotency-key': 'dupx-release-0001' },
    };
    const raised = await ok(cycle.holds.$post(raise));
    expect(raised.holds.map((h) => h.name)).toContain('dup-x');
    const released = await ok(cycle['hold-releases'].$post(release));
    expect(released.holds.map((h) => h.name)).not.toContain('dup-x');
    // Other inputs, each its own key: more than the cycle remembers answers for across a continue-as-new
    // (200, workflows/cycle/entity.ts), which covered a retry until then.
    for (let i = 0; i < 101; i++) {
      const name = `other-${i}`;
      const key = (what: string) => ({ 'idempotency-key': `other-${what}-${String(i).padStart(4, '0')}` });
      await ok(cycle.holds.$post({ param, json: { name, reason: '其他' }, header: key('raise') }));
      await ok(cycle['hold-releases'].$post({ param, json: { name, resolution: '已解除' }, header: key('release') }));
    }
    const now = await stack.client.workflow.getHandle(cycleWorkflowId(param.cycleId)).describe();
    expect(now.runId, 'the cycle continued as new').not.toBe(firstRun);
    // The raise retried: 200, and the hold is not raised again.
    const again: any = await read(cycle.holds.$post(raise));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.holds.map((h: { name: string }) => h.name)).not.toContain('dup-x');
    expect(again.body.version).toBeGreaterThanOrEqual(raised.version);
    // The release retried: 200 as the first time, not 409 for a hold that is not open.
    const releasedAgain: any = await read(cycle['hold-releases'].$post(release));
    expect(releasedAgain.status, JSON.stringify(releasedAgain.body)).toBe(200);
    const { rows } = await stack.pool.query(
      `SELECT action FROM audit_events WHERE cycle_id = $1 AND detail->'input'->>'name' = 'dup-x' ORDER BY id`,
      [param.cycleId],
    );
    expect(rows.map((r) => r.action)).toEqual(['hold.added', 'hold.released']);
    await handle.terminate('test done');
  });
});

/**
 * A keyed retry asks what became of its update id, in the current run and in the runs the cycle continued
 * from. Found from outside (12-06): after a burst, a release's first try had never been taken, and the
 * server's answer about it in an earlier run never came — its poll hung until the question's deadline —
 * so every retry with the key answered 503 "temporal unreachable" for 17 minutes while Temporal was up and
 * the hold stayed. A run that does not answer within the question's bound is not where the id was taken
 * as far as the API can tell; the input is checked and sent again under the same update id, which the
 * cycle answers from its memory of answers if an earlier run did take it (the test above).
 */
describe('a keyed retry whose earlier run does not answer about its update id', () => {
  it('is checked and sent again under its id, not answered 503 unreachable for good', async () => {
    const handle = await startShortRunCycle('2078');
    const param = { cycleId: '440305:2078' };
    const release = {
      param,
      json: { name: 'lost-x', resolution: '已解除' },
      header: { 'idempotency-key': 'lostx-release-0001' },
    };
    await ok(cycle().holds.$post({ param, json: { name: 'lost-x', reason: '待解除' }, header }));
    const token = await stack.token(['organizer'], '440300', '组织部-李明');
    // The first try: bound to its key, never taken (Temporal unreachable for that send).
    const real = stack.client.connection;
    const variantWith = (method: string, fails: (request: any) => Promise<never> | undefined) =>
      serveWithWorkflowService(stack, method, (request, original) => fails(request) ?? original(request));
    const grpcError = (code: number, details: string) =>
      Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { get: () => [] } });
    const down = await variantWith('updateWorkflowExecution', () => Promise.reject(grpcError(14, 'unavailable')));
    try {
      const first = await read(apiClient(down.url, token).v1.cycles[':cycleId']['hold-releases'].$post(release));
      expect(first.status, JSON.stringify(first.body)).toBe(503);
    } finally {
      await down.close();
    }
    // The cycle continues as new (30 events a run), so the retry asks an earlier run too.
    for (let i = 0; i < 12; i++)
      await ok(cycle().holds.$post({ param, json: { name: `more-${i}`, reason: '其他' }, header }));
    await eventually(async () => {
      const { executions } = await stack.client.workflowService.listWorkflowExecutions({
        namespace: stack.client.options.namespace,
        query: `WorkflowId = "${cycleWorkflowId(param.cycleId)}" AND ExecutionStatus = "ContinuedAsNew"`,
      });
      return (executions?.length ?? 0) > 0;
    });
    // An earlier run's answer about an update id never comes: the poll waits out its gRPC deadline.
    let hung = 0;
    const silent = await variantWith('pollWorkflowExecutionUpdate', (request) => {
      if (!request.updateRef?.workflowExecution?.runId) return undefined;
      hung++;
      const deadline = (real as Connection).callContextStorage.getStore()?.deadline;
      const wait = deadline === undefined ? 30_000 : Math.max(0, Number(deadline) - Date.now());
      return new Promise((_, reject) => setTimeout(() => reject(grpcError(4, 'Deadline exceeded')), wait));
    });
    try {
      const again = await read(apiClient(silent.url, token).v1.cycles[':cycleId']['hold-releases'].$post(release));
      expect(hung, 'an earlier run was asked').toBeGreaterThan(0);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      if (again.status === 200) expect(again.body.holds.map((h) => h.name)).not.toContain('lost-x');
    } finally {
      await silent.close();
    }
    const { rows } = await stack.pool.query(
      `SELECT action FROM audit_events WHERE cycle_id = $1 AND detail->'input'->>'name' = 'lost-x' ORDER BY id`,
      [param.cycleId],
    );
    expect(rows.map((r) => r.action)).toEqual(['hold.added', 'hold.released']);
    await handle.terminate('test done');
  });
});

/**
 * Starts 南山区's cycle of `term` with runs that end past 30 events: a few inputs later the cycle is a new run
 * that knows no earlier update id.
 */
async function startShortRunCycle(term: string) {
  const options = cycleStartOptions(
    {
      jurisdiction: { id: '440305', name: '南山区', level: 'county', parentId: '440300' },
      term,
      positions: S.positions,
      committees: { standing: 11, full: 31 },
      policy: policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 0.2 } }),
      startedBy: { id: '组织部-李明', role: 'organizer' },
    },
    stack.taskQueue,
  );
  options.args[0].maxHistoryEvents = 30;
  return stack.client.workflow.start('cycleWorkflow', options);
}
