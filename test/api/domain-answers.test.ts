/**
 * Issue 11.11: answers that say what happened and why. A committee vote nobody wins publishes nobody
 * (no "1970-01-01" period); a seat short of "more than half of all members" names that rule, and the
 * election result blames it, not the election's majority; an aborted cycle is "aborted" in the
 * ledger and in the refusal of its next input; deadlines in Chinese text are Beijing dates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../domain/eager/calendar.js';
import { quickTemplate } from '../../scripts/simulator.js';
import { eventually, inspectViaApi, loadSampleTree, provisionTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  // Districts of this file's own: the ledger counts a district's cycles, and other files run theirs in 440309.
  await provisionTree(stack.pool, [
    { id: 'DA-1', name: '答复一区', level: 'county', parentId: '440300' },
    { id: 'DA-2', name: '答复二区', level: 'county', parentId: '440300' },
  ]);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部'));
});
afterAll(() => stack?.stop());

const cycle = () => organizer.v1.cycles[':cycleId'];
const header = {};
const state = (cycleId: string) => ok(cycle().$get({ param: { cycleId } }));
const NAMES = { s1: '张伟', d1: '陈静', d2: '杨磊' } as const;
const tallies = (voters: number) =>
  (['secretary', 'deputy'] as const).map((positionId) => ({
    positionId,
    persons: (positionId === 'secretary' ? ['s1'] : ['d1', 'd2']).map((p, i) => ({
      personId: p,
      name: NAMES[p as keyof typeof NAMES],
      votes: voters - i - 1,
    })),
  }));

/** A cycle of 区委书记 ×1 and 副区长 ×2, one candidate per seat, driven to the full committee vote. */
async function toVote(jurisdictionId: string) {
  const cycleId = `${jurisdictionId}:2032`;
  const param = { cycleId };
  const { policy } = quickTemplate(0.2);
  const body = { ...S.startBody(jurisdictionId, '2032'), policy };
  expect((await read(organizer.v1.cycles.$post({ json: body }))).status).toBe(201);
  await ok(cycle().launch.$post({ param, json: S.launch, header }));
  await ok(cycle().analysis.$post({ param, json: S.analysis, header }));
  const rounds = cycle()['recommendation-rounds'];
  await ok(rounds.$post({ param, json: { round: 'cadreMeeting', voters: 100, tallies: tallies(100) }, header }));
  await ok(rounds.$post({ param, json: { round: 'fullCommittee', voters: 31, tallies: tallies(31) }, header }));
  const skip = S.DEPARTMENTS.filter((d) => d !== 'discipline');
  for (const p of ['s1', 'd1', 'd2'])
    expect((await inspectViaApi(stack, cycleId, p, { skip })).status, p).toBe('passed');
  await eventually(async () => (await state(cycleId)).stage === 'decision');
  const shortlist = [
    { positionId: 'secretary', personIds: ['s1'] },
    { positionId: 'deputy', personIds: ['d1', 'd2'] },
  ];
  await ok(cycle()['standing-committee'].$post({ param, json: { present: 9, shortlist }, header }));
  return param;
}

describe('answers that say what happened and why', () => {
  it('a vote nobody wins: no publicity period, the rule named, and an abort called an abort', async () => {
    const param = await toVote('DA-1');
    // 16 of 31 members is "more than half of all members"; 15 is not, however many were present.
    const votes = [
      { positionId: 'secretary', personId: 's1', inFavor: 15 },
      { positionId: 'deputy', personId: 'd1', inFavor: 15 },
      { positionId: 'deputy', personId: 'd2', inFavor: 12 },
    ];
    await ok(cycle()['committee-vote'].$post({ param, json: { present: 29, votes }, header }));
    const state = await eventually(async () => {
      const s = await ok(cycle().$get({ param }));
      return s.stage !== 'decision' && s;
    });
    expect(JSON.stringify(state)).not.toContain('1970');
    expect(state.deadline ?? null).toBeNull();
    const secretary = state.shortfalls.find((g) => g.positionId === 'secretary');
    expect(secretary).toMatchObject({ missing: 1 });
    expect(secretary?.reason).toContain('全体成员（31人）过半数');
    expect(secretary?.reason).toContain('至少16票');
    expect(secretary?.reason).toContain('张伟（s1）15票');
    const published = await eventually(async () => {
      const timeline = await ok(cycle().timeline.$get({ param }));
      return timeline.events.find((e) => e.action === 'publicity.published');
    });
    expect(published.detail).toMatchObject({ nominees: [], endsAt: null });
    expect(published.detail?.reason).toContain('没有拟任人选可公示');

    await ok(cycle().abort.$post({ param, json: { reason: '行政区划调整，本次换届终止' }, header }));
    const refusal = async () => {
      const after = await read(cycle().approval.$post({ param, json: S.approval, header }));
      expectStatus(after, 409);
      expect(after.body.error.code).toBe('CLOSED');
      expect(after.body.error.message).toContain('was aborted (行政区划调整，本次换届终止)');
    };
    await refusal(); // while the workflow winds down
    // Once it has ended Temporal calls it "completed"; the answer still says aborted.
    expect(await stack.client.workflow.getHandle('cycle:DA-1:2032').result()).toMatchObject({ status: 'aborted' });
    await refusal();

    const ledger = await read(organizer.v1.ledger.$get({ query: { scope: 'DA-1', date: beijingDate(Date.now()) } }));
    // The district's only cycle counts as aborted, not as stuck in decision or publicity.
    expectStatus(ledger, 200);
    expect(ledger.body.own.byStage).toEqual({ aborted: 1 });
  });

  it('a seat short of the committee majority is blamed on it in the election result', async () => {
    const param = await toVote('DA-2');
    const votes = [
      { positionId: 'secretary', personId: 's1', inFavor: 25 },
      { positionId: 'deputy', personId: 'd1', inFavor: 20 },
      { positionId: 'deputy', personId: 'd2', inFavor: 15 },
    ];
    await ok(cycle()['committee-vote'].$post({ param, json: { present: 29, votes }, header }));
    const publicity = await ok(cycle().$get({ param }));
    expect(publicity.waitingFor).toMatch(/公示期至 \d{4}年\d{1,2}月\d{1,2}日/);
    expect(publicity.waitingFor).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    await eventually(async () => (await ok(cycle().$get({ param }))).stage === 'approval');
    await ok(cycle().approval.$post({ param, json: S.approval, header }));
    const election = {
      votersPresent: 300,
      validBallots: 296,
      massPetitions: 0,
      results: [
        { positionId: 'secretary', persons: [{ personId: 's1', votes: 281 }] },
        { positionId: 'deputy', persons: [{ personId: 'd1', votes: 260 }] },
      ],
    };
    const closed = await ok(cycle().election.$post({ param, json: election, header }));
    const deputy = closed.results?.find((r) => r.positionId === 'deputy');
    expect(deputy).toMatchObject({ unfilled: 1, elected: [{ personId: 'd1' }] });
    expect(deputy?.reason).toContain('no approved nominee');
    expect(deputy?.reason).toContain('全体成员（31人）过半数');
    expect(deputy?.reason).toContain('杨磊（d2）15票');
    expect(deputy?.reason).not.toContain('valid ballots');
  });

  it('states the working-day convention on every deadline field of the OpenAPI document', async () => {
    // The document itself is not a route of AppType: read raw.
    const doc: unknown = (await stack.call('GET', '/openapi.json')).body;
    const found: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
        if (/(WorkingDays|CalendarDays)$/.test(k) && v && typeof v === 'object' && 'type' in v) {
          found.push(`${path}.${k}`);
          expect((v as { description?: string }).description ?? '', `${path}.${k}`).toContain(
            'counted from the day after the start',
          );
        }
        walk(v, `${path}.${k}`);
      }
    };
    walk(doc, '');
    // publicity, the three report deadlines, joint review (chase and deadline), supervision, risks, rectifications
    expect(found.length).toBeGreaterThanOrEqual(9);
  });
});
