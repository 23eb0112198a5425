/**
 * 差额 over HTTP (issue 16), in a Haimen-like place: 三责联审 by the organization department
 * (reviewer:organization), audit and establishment; 副区长 elected competitively. A recommendation
 * round below 1:3 is refused with the ratio and the shortfall named, then accepted with a recorded
 * reason; the competitive shortlist below 1:2 likewise, the 等额 post says it is one; the organization
 * department's tasks are in its inbox, chased and escalated like any other; the ledger counts it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { beijingDate } from '../../domain/eager/calendar.js';
import type * as C from '../../domain/eager/cycle.js';
import type { Department } from '../../domain/eager/policy.js';
import { ledgerRollupWorkflow } from '../../workflows/ledger.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
const CYCLE_ID = '440311:2026';
const param = { cycleId: CYCLE_ID };
const HAIMEN: Department[] = ['organization', 'audit', 'establishment'];
const REASON = '符合任职资格条件的副处级干部仅 5 名，经市委组织部同意按现有人选推荐';

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-干部科'));
});
afterAll(() => stack?.stop());

const cycle = (api = organizer) => api.v1.cycles[':cycleId'];
const verdicts = (api: ApiClient, json: ReturnType<typeof S.clear>) =>
  read(cycle(api).candidates[':personId'].verdicts.$post({ param: { ...param, personId: 's1' }, json, header: {} }));
const state = () => ok(cycle().$get({ param }));
const reviewer = async (dept: Department) =>
  stack.as(await stack.token([`reviewer:${dept}`], '440311', `reviewer-${dept}`));
/** The scenario's round with only five people for the two deputy seats (1:3 asks for six). */
const shortRound = (round: z.input<typeof C.recommendationRoundSchema>, reason?: string) => ({
  ...round,
  tallies: [
    round.tallies[0]!,
    {
      ...round.tallies[1]!,
      persons: round.tallies[1]!.persons.slice(0, 5),
      ...(reason ? { belowRatioReason: reason } : {}),
    },
  ],
});

describe('the joint-review departments are a policy choice within a catalogue', () => {
  it('refuses a department outside the catalogue and one named twice', async () => {
    // 'mayor' is outside the catalogue the types allow: these bodies go raw.
    for (const departments of [['organization', 'mayor'], ['audit', 'audit'], []]) {
      const body = S.startBody('440310', '2026');
      const res = await stack.call('POST', '/v1/cycles', {
        token: await stack.token(['organizer'], '440300', '组织部-干部科'),
        body: { ...body, policy: { ...body.policy, jointReview: { departments } } },
      });
      expect(res.status, JSON.stringify(departments)).toBe(400);
      expect(res.body.error.details[0].path).toMatch(/^policy\.jointReview\.departments/);
    }
  });
});

describe('差额: below the ratio only with a recorded reason', () => {
  it('a round, the inspection list and a competitive shortlist; the organization department reviews; the ledger counts', async () => {
    // A working day is half a second: departments are chased after 1.5 s and escalated after 2.5 s.
    const started = await read(
      organizer.v1.cycles.$post({
        json: S.startBody('440311', '2026', {
          calendar: { kind: 'compressed', secondsPerWorkingDay: 0.5 },
          competitivePositions: ['deputy'],
          jointReview: { departments: HAIMEN },
        }),
      }),
    );
    expectStatus(started, 201);
    expect(started.body.state.policy.jointReview.departments).toEqual(HAIMEN);
    await read(cycle().launch.$post({ param, json: S.launch, header: {} }));
    await eventually(async () => (await state()).stage === 'analysis');
    await read(cycle().analysis.$post({ param, json: S.analysis, header: {} }));
    await eventually(async () => (await state()).stage === 'recommendation');

    // 5 people for 2 seats at 1:3: refused, naming the ratio and the shortfall; nothing recorded.
    const round = (json: z.input<typeof C.recommendationRoundSchema>) =>
      read(cycle()['recommendation-rounds'].$post({ param, json, header: {} }));
    const refused = await round(shortRound(S.cadreMeeting));
    expectStatus(refused, 422);
    expect(refused.body.error.code).toBe('INCONSISTENT');
    expect(refused.body.error.message).toMatch(/5 offered for deputy.*ratio 1:3 asks for 6 for 2 seat\(s\), 1 short/);
    expect(refused.body.error.details).toEqual([
      { path: 'tallies[1].persons', rule: 'at least 6 (1:3 of 2 seat(s)), or tallies[1].belowRatioReason' },
    ]);
    expect((await state()).recommendation.rounds).toEqual({});

    // With the reason recorded, both rounds are accepted; the list is five, the reason is in the state.
    const first = await round(shortRound(S.cadreMeeting, REASON));
    expectStatus(first, 200);
    expect(first.body.belowRatio).toEqual([
      expect.objectContaining({ list: 'cadreMeeting', positionId: 'deputy', required: 6, given: 5, reason: REASON }),
    ]);
    expect((await round(shortRound(S.fullCommittee, REASON))).status).toBe(200);
    const inspecting = await eventually(async () => {
      const s = await state();
      return s.stage === 'inspection' && s.candidates.every((c) => c.opened) && s;
    });
    expect(inspecting.candidates.filter((c) => c.positionId === 'deputy')).toHaveLength(5);
    expect(inspecting.belowRatio!.map((b) => b.list)).toEqual(['cadreMeeting', 'fullCommittee', 'inspection']);
    expect(inspecting.shortfalls).toEqual([{ positionId: 'deputy', missing: 1 }]);
    // The reason is on the record, with the input it came with (an audit detail: free-form JSON).
    const timeline = await ok(cycle().timeline.$get({ param }));
    const rounds = timeline.events.filter((e) => e.action === 'recommendation.round');
    type RoundDetail = { input: { tallies: { belowRatioReason?: string }[] } };
    expect(rounds.map((e) => (e.detail as RoundDetail).input.tallies[1]!.belowRatioReason)).toEqual([REASON, REASON]);

    // The organization department's own reviewers find their tasks in their inbox, like every department.
    const orgInbox = await eventually(async () => {
      const res = await read((await reviewer('organization')).v1.reviews.inbox.$get({ query: {} }));
      return res.status === 200 && res.body.tasks.length === 8 && res.body.tasks;
    });
    expect(new Set(orgInbox.map((t) => t.department))).toEqual(new Set(['organization']));
    // A department this place does not use is refused, and an organizer is not a reviewer.
    const discipline = await verdicts(await reviewer('discipline'), S.clear('discipline'));
    expectStatus(discipline, 400);
    expect(discipline.body.error.message).toMatch(/not a joint-review department of this cycle/);
    expect((await verdicts(organizer, S.clear('organization'))).status).toBe(403);

    // s1: the organization department stays silent until chased and escalated, like any late department.
    await inspectViaApi(stack, CYCLE_ID, 's1', { departments: HAIMEN, skip: ['organization'], close: false });
    const late = await eventually(async () => {
      const s1 = (await state()).candidates.find((c) => c.personId === 's1');
      return s1?.lateReviews?.some((l) => l.kind === 'escalated') && s1.lateReviews;
    });
    // On a loaded machine the other departments' verdicts can arrive after the chase (a working day is
    // 0.5 s here), so they may be chased too; the silent organization department is chased and escalated.
    expect(late.map((l) => l.kind)).toEqual(['chased', 'escalated']);
    for (const l of late) expect(l.departments, l.kind).toContain('organization');
    const { rows: notices } = await stack.pool.query(
      `SELECT recipient, subject FROM notifications WHERE body = $1 ORDER BY created_at`,
      [`cycle ${CYCLE_ID}, candidate s1 — organization`],
    );
    expect(notices).toEqual([
      { recipient: 'reviewer:organization', subject: '联审催办' },
      { recipient: 'supervising-level', subject: '联审逾期，提请上级督办' },
    ]);
    const orgVerdict = await verdicts(await reviewer('organization'), {
      department: 'organization',
      verdict: 'clear',
      reason: '选人用人程序规范',
    });
    expect(orgVerdict.status).toBe(200);
    const dossier = cycle().candidates[':personId'].dossier.$post({
      param: { ...param, personId: 's1' },
      json: { result: 'passed' },
      header: {},
    });
    expect((await read(dossier)).status).toBe(200);
    for (const c of inspecting.candidates.filter((x) => x.personId !== 's1'))
      await inspectViaApi(stack, CYCLE_ID, c.personId, { departments: HAIMEN });
    await eventually(async () => (await state()).stage === 'decision');

    // 副区长 is competitive: 3 for 2 seats (1:2 asks for 4) is refused, then accepted with the reason.
    const shortlist = (reason?: string): z.input<typeof C.standingCommitteeSchema> => ({
      present: 9,
      shortlist: [
        { positionId: 'secretary', personIds: ['s1'] },
        { positionId: 'deputy', personIds: ['d1', 'd2', 'd3'], ...(reason ? { belowRatioReason: reason } : {}) },
      ],
    });
    const standing = (json: z.input<typeof C.standingCommitteeSchema>) =>
      read(cycle()['standing-committee'].$post({ param, json, header: {} }));
    const tooFew = await standing(shortlist());
    expectStatus(tooFew, 422);
    expect(tooFew.body.error.message).toMatch(
      /3 shortlisted for deputy.*ratio 1:2 asks for 4 for 2 seat\(s\), 1 short/,
    );
    expect(tooFew.body.error.details[0]!.path).toBe('shortlist[1].personIds');
    // Never seats or fewer on a competitive post, whatever the reason.
    const uncontested = await standing({
      present: 9,
      shortlist: [
        { positionId: 'secretary', personIds: ['s1'] },
        { positionId: 'deputy', personIds: ['d1', 'd2'], belowRatioReason: REASON },
      ],
    });
    expectStatus(uncontested, 422);
    expect(uncontested.body.error.message).toMatch(/never fewer than seats \+ 1 \(3\)/);

    const decided = await standing(shortlist(REASON));
    expectStatus(decided, 200);
    // The answer says which post is 等额 and which 差额.
    expect(decided.body.decision.shortlists).toEqual([
      { positionId: 'secretary', seats: 1, kind: 'uncontested', label: '等额', ratio: '1:2', required: 0, given: 1 },
      {
        positionId: 'deputy',
        seats: 2,
        kind: 'competitive',
        label: '差额',
        ratio: '1:2',
        required: 4,
        given: 3,
        belowRatioReason: REASON,
      },
    ]);
    expect(decided.body.belowRatio!.at(-1)).toMatchObject({ stage: 'decision', list: 'shortlist', given: 3 });

    // The ledger, as the evening rollup writes it: two lists below their ratio (the recommendation and
    // the shortlist of 副区长), and the three departments counted alike.
    const today = beijingDate(Date.now());
    await stack.client.workflow.execute(ledgerRollupWorkflow, {
      workflowId: `ledger-ratios-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ day: today }],
    });
    const viewer = stack.as(await stack.token(['viewer'], '440300'));
    const ledger = await ok(viewer.v1.ledger.$get({ query: { scope: '440311', date: today } }));
    expect(ledger.source).toBe('computed'); // today answers live; the snapshot is for later days
    expect(ledger.own.belowRatio).toBe(2);
    expect(Object.keys(ledger.own.reviews).sort()).toEqual(['audit', 'establishment', 'organization']);
    for (const d of HAIMEN)
      expect(ledger.own.reviews[d]).toMatchObject({ opened: 8, answered: 8, percentAnswered: 100 });
    expect(ledger.own.reviews.organization!.escalated).toBeGreaterThanOrEqual(1);
    // No discipline commission in this place's joint review: no integrity-opinion percentage to speak of.
    expect(ledger.own).toMatchObject({ integrityOpinions: 0, percent: { integrityOpinions: null } });
    const city = await ok(viewer.v1.ledger.$get({ query: { scope: '440300', date: today } }));
    expect(city.subtree.belowRatio).toBeGreaterThanOrEqual(2);
    expect(city.subtree.reviews.organization!.opened).toBeGreaterThanOrEqual(8);
  }, 180_000);
});
