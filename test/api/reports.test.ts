/**
 * Reports (举报) on the real stack: every report handled on a working-day deadline, its effect on a
 * running cycle, the ledger, and the reporter's identity kept out of Temporal and the logs.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { cycleWorkflowId } from '../../domain/ids.js';
import { beijingDate } from '../../domain/eager/calendar.js';
import type * as R from '../../domain/eager/reports.js';
import type { Jurisdiction } from '../../domain/eager/schemas.js';
import {
  eventually,
  cycleAtDecision,
  inspectViaApi,
  loadSampleTree,
  recordHistory,
  startStack,
  type Stack,
  provisionTree,
} from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
let intake: ApiClient;
let investigator: ApiClient;
const CYCLE_ID = '440308:2026';
const param = { cycleId: CYCLE_ID };

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部'));
  intake = stack.as(await stack.token(['intake'], '440300', '12380受理员'));
  investigator = stack.as(await stack.token(['investigator'], '440300', '查核组'));
});
afterAll(() => stack?.stop());

type Intake = z.input<typeof R.intakeSchema>;
const cycle = () => organizer.v1.cycles[':cycleId'];
const state = () => ok(cycle().$get({ param }));
const report = (body: Partial<Intake> & Pick<Intake, 'target'>) =>
  read(
    intake.v1.reports.$post({
      json: {
        channel: 'phone',
        category: 'voteBuying',
        text: '反映有关问题',
        receivedAt: new Date().toISOString(),
        ...body,
      },
      header: {},
    }),
  );
/** A report on one of the cycle's people: its category, its text, the channel's own reference. */
const reportOn = (personId: string, category: Intake['category'], text: string, channelRef: string) =>
  report({ target: { type: 'candidate', cycleId: CYCLE_ID, personId }, category, text, channelRef });
const finding = (reportId: string, json: z.input<typeof R.findingSchema>) =>
  read(investigator.v1.reports[':reportId'].findings.$post({ param: { reportId }, json, header: {} }));
const live = (reportId: string) => ok(intake.v1.reports[':reportId'].$get({ param: { reportId } }));

/** Another cycle's routes, its state, and a report on one of its people (one per channel reference). */
const inCycle = (cycleId: string) => {
  const c = () => organizer.v1.cycles[':cycleId'];
  return {
    c,
    now: () => ok(c().$get({ param: { cycleId } })),
    on: (personId: string, channelRef: string) =>
      report({
        target: { type: 'candidate', cycleId, personId },
        category: 'seekingOffice',
        text: '反映跑官',
        channelRef,
      }),
  };
};

describe('reports during a cycle', () => {
  it('a report holds its nominee and the publicity period; substantiated drops the nominee and the next moves up; unsubstantiated clears with a clarification', async () => {
    // Publicity lasts 5 × 0.5 s.
    const started = organizer.v1.cycles.$post({
      json: S.startBody('440308', '2026', { calendar: { kind: 'compressed', secondsPerWorkingDay: 0.5 } }),
    });
    expect((await read(started)).status).toBe(201);
    const header = {};
    await read(cycle().launch.$post({ param, json: S.launch, header }));
    await eventually(async () => (await state()).stage === 'analysis');
    await read(cycle().analysis.$post({ param, json: S.analysis, header }));
    await eventually(async () => (await state()).stage === 'recommendation');
    await read(cycle()['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header }));
    await read(cycle()['recommendation-rounds'].$post({ param, json: S.fullCommittee, header }));
    await eventually(async () => (await state()).stage === 'inspection');
    for (const p of ['s1', 's2', 's3', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6']) await inspectViaApi(stack, CYCLE_ID, p);
    await eventually(async () => (await state()).stage === 'decision');
    await read(cycle()['standing-committee'].$post({ param, json: S.standing, header }));
    await read(cycle()['committee-vote'].$post({ param, json: S.vote, header }));
    await eventually(async () => (await state()).stage === 'publicity');

    const onS1 = await reportOn('s1', 'voteBuying', '反映张伟在推荐前宴请代表', 'pub-s1');
    expectStatus(onS1, 201);
    // The hold is on the person before the intake answers (found from outside: it landed ~110 ms
    // after, and an input in between could pass the gate): the very next read shows it.
    expect(onS1.body.hold).toEqual({ state: 'placed', name: `report-${onS1.body.reportId}` });
    expect((await state()).holds.map((h) => [h.personId, h.source])).toEqual([['s1', 'report']]);
    const onD1 = await reportOn('d1', 'seekingOffice', '反映陈静跑官', 'pub-d1');
    expectStatus(onD1, 201);
    // A second report on s1, still open when the first drops s1.
    const onS1Again = await reportOn('s1', 'other', '另反映张伟其他问题', 'pub-s1-again');
    expectStatus(onS1Again, 201);
    const held = await state();
    expect(held.holds.map((h) => [h.personId, h.source]).sort()).toEqual([
      ['d1', 'report'],
      ['s1', 'report'],
      ['s1', 'report'],
    ]);
    expect(await eventually(async () => (await live(onS1.body.reportId)).triage)).toBe('important');
    await new Promise((r) => setTimeout(r, 3500)); // past the 2.5 s period: the open reports keep it open
    expect((await state()).stage).toBe('publicity');

    // Unsubstantiated: d1 is released, with a clarification on the record.
    const cleared = await finding(onD1.body.reportId, { finding: 'unsubstantiated', summary: '经查，反映问题不属实' });
    expectStatus(cleared, 200);
    // Important reports are due the same working day — 0.5 s here — and the test waited longer: late, and it says so.
    expect(cleared.body).toMatchObject({
      status: 'closed',
      effect: expect.stringMatching(/澄清/),
      closedOnTime: false,
      overdueAt: expect.any(Number),
      // A closed report waits for nothing (the answer said 待…查核 after its close: found from outside).
      waitingFor: '',
    });
    // Substantiated: s1 is dropped and s2, next on the shortlist, moves up with a publicity period of their own.
    const proven = await finding(onS1.body.reportId, {
      finding: 'partly',
      consequence: 'disqualification',
      summary: '经查，宴请问题部分属实',
    });
    expectStatus(proven, 200);
    expect(proven.body.effect).toBe('candidacy: nominee s1 dropped');
    const after = await state();
    // s1 is out: the second report's hold stays listed until its finding, and holds no gate.
    expect(after.holds.map((h) => h.name)).toEqual([`report-${onS1Again.body.reportId}`]);
    expect(after.nominees.map((n) => [n.personId, n.status])).toEqual([
      ['s1', 'dropped'],
      ['d1', 'published'],
      ['d2', 'published'],
      ['s2', 'published'],
    ]);
    expect(after.nominees.find((n) => n.personId === 's1')?.cause).toBe('report');
    // A report on s1 now holds nothing, and says so (found from outside: it answered `placed`).
    const late = await reportOn('s1', 'other', '再反映张伟问题', 'pub-s1-late');
    expectStatus(late, 201);
    expect(late.body.hold).toEqual({ state: 'none', why: expect.stringMatching(/no longer in the running/) });
    expect((await state()).holds).toHaveLength(1);
    await eventually(async () => (await state()).stage === 'approval', 10_000);
    await recordHistory(stack.client, cycleWorkflowId(CYCLE_ID), 'cycle-dropped-nominee-hold-v8');

    const cycleEvents = (await ok(cycle().timeline.$get({ param }))).events;
    // An audit row's detail is free-form JSON (its shape depends on the action).
    const released = cycleEvents
      .filter((e) => e.action === 'hold.released')
      .map((e) => (e.detail as { input: { resolution: string } }).input.resolution);
    expect(released).toEqual(expect.arrayContaining(['举报不属实，予以澄清', '举报部分属实，已处理']));
    const reportEvents = (
      await ok(organizer.v1.reports[':reportId'].timeline.$get({ param: { reportId: onD1.body.reportId } }))
    ).events.map((e) => e.action);
    expect(reportEvents[0]).toBe('report.registered');
    expect(reportEvents[1]).toBe('report.triaged');
    expect(reportEvents.at(-1)).toBe('report.clarified');
    expect(reportEvents).toContain('report.overdue'); // it was late, see above
    await recordHistory(stack.client, `report:${onD1.body.reportId}`, 'report-clarified-v7');
    await recordHistory(stack.client, `report:${onS1.body.reportId}`, 'report-substantiated-v7');
  });

  it('substantiated on a candidate who passed inspection, before the vote: withdrawn, their shortlist voided; on a reserve: never moves up', async () => {
    // Found from outside: the finding sent a drop, refused before the committee's vote ("not a
    // nominee"), then released its hold, and the disqualified candidate stayed shortlistable.
    const cycleId = '440308:2061';
    const p = { cycleId };
    const { c, now, on } = inCycle(cycleId);
    const header = {};
    await cycleAtDecision(stack, organizer, '440308', '2061');

    // s2 passed inspection; the standing committee shortlists them; then a report on s2 is substantiated.
    const onS2 = await on('s2', 'withdraw-s2');
    expectStatus(onS2, 201);
    expectStatus(await read(c()['standing-committee'].$post({ param: p, json: S.standing, header })), 200);
    const proven = await finding(onS2.body.reportId, {
      finding: 'substantiated',
      consequence: 'disqualification',
      summary: '经查属实',
    });
    expectStatus(proven, 200);
    expect(proven.body.effect).toBe('candidacy: candidate s2 withdrawn');
    const withdrawn = await now();
    expect(withdrawn.candidates.find((x) => x.personId === 's2')).toMatchObject({ status: 'stopped', cause: 'report' });
    // The candidate's own GET says so too, beside its inspection that passed (found after the last
    // attack: it read `passed` alone).
    const candidate = (personId: string) => ok(c().candidates[':personId'].$get({ param: { ...p, personId } }));
    expect(await candidate('s2')).toMatchObject({
      status: 'passed',
      candidacy: {
        status: 'withdrawn',
        reason: withdrawn.candidates.find((x) => x.personId === 's2')!.reason,
        cause: 'report',
      },
    });
    expect((await candidate('s1')).candidacy).toEqual({ status: 'candidate' });
    // The shortlist that named them is voided: the standing committee decides again, without them.
    expect(withdrawn.decision.standing).toBeUndefined();
    expect(withdrawn.holds).toEqual([]);
    const again = await read(c()['standing-committee'].$post({ param: p, json: S.standing, header }));
    expectStatus(again, 422);
    expect(again.body.error.details).toEqual([
      { path: 'shortlist[0].personIds[1]', rule: 'must have passed inspection for this position' },
    ]);
    const shortlist = {
      ...S.standing,
      shortlist: [{ positionId: 'secretary', personIds: ['s1', 's3'] }, S.standing.shortlist[1]!],
    };
    expectStatus(await read(c()['standing-committee'].$post({ param: p, json: shortlist, header })), 200);
    // d4 passes too (18 of 31): the deputies' reserves are d3, then d4.
    const votes = S.vote.votes.map((v) =>
      v.personId === 's2' ? { ...v, personId: 's3' } : v.personId === 'd4' ? { ...v, inFavor: 18 } : v,
    );
    expectStatus(await read(c()['committee-vote'].$post({ param: p, json: { ...S.vote, votes }, header })), 200);
    await eventually(async () => (await now()).stage === 'publicity');

    // d3 is the deputies' first reserve: substantiated, they leave the reserves, and when d1 is dropped d4 moves up.
    const onD3 = await on('d3', 'withdraw-d3');
    expectStatus(onD3, 201);
    const reserve = await finding(onD3.body.reportId, {
      finding: 'substantiated',
      consequence: 'disqualification',
      summary: '经查属实',
    });
    expectStatus(reserve, 200);
    expect(reserve.body.effect).toBe('candidacy: candidate d3 withdrawn');
    const dropped = await read(
      c()['nominee-drops'].$post({ param: p, json: { personId: 'd1', reason: '本人辞去', cause: 'other' }, header }),
    );
    expectStatus(dropped, 200);
    expect((await now()).nominees.map((n) => [n.personId, n.status])).toEqual([
      ['s1', 'published'],
      ['d1', 'dropped'],
      ['d2', 'published'],
      ['d4', 'published'],
    ]);
    expect((await candidate('d1')).candidacy).toEqual({ status: 'dropped', reason: '本人辞去', cause: 'other' });
    expect((await candidate('d3')).candidacy).toMatchObject({ status: 'withdrawn', cause: 'report' });
    expect((await candidate('d4')).candidacy).toEqual({ status: 'nominee' });
    await recordHistory(stack.client, cycleWorkflowId(cycleId), 'cycle-candidate-withdrawn-v10');
  });

  it("after the committee's vote only nominees and reserves are in the running: a report on anyone else holds no gate", async () => {
    // Found from outside: a report on a passer never shortlisted, after the vote, held the publicity gate
    // of a cycle that had no nominee left, until an investigator cleared a person who could never be appointed.
    const cycleId = '440308:2063';
    const p = { cycleId };
    const { c, now, on } = inCycle(cycleId);
    const header = {};
    await cycleAtDecision(stack, organizer, '440308', '2063');
    // Before the vote s3 may still be shortlisted: the report holds them.
    const onS3 = await on('s3', 'running-s3');
    expect(onS3.status === 201 && onS3.body.hold.state).toBe('placed');
    await read(c()['standing-committee'].$post({ param: p, json: S.standing, header }));
    await read(c()['committee-vote'].$post({ param: p, json: S.vote, header }));
    // Not shortlisted, s3 is out once the committee has voted: the open report no longer holds the gate.
    await eventually(async () => (await now()).stage === 'publicity');
    expect((await now()).holds.map((h) => h.personId)).toEqual(['s3']);
    // d5 was never shortlisted, d4 was voted on but short of the majority (15 of 31): neither is held.
    for (const person of ['d5', 'd4']) {
      const late = await on(person, `running-${person}`);
      expect(late.status === 201 && late.body.hold).toEqual({
        state: 'none',
        why: expect.stringMatching(/no longer in the running/),
      });
    }
    // d3, the deputies' reserve, is: they may still move up.
    const onReserve = await on('d3', 'running-d3');
    expect(onReserve.status === 201 && onReserve.body.hold.state).toBe('placed');
    await recordHistory(stack.client, cycleWorkflowId(cycleId), 'cycle-holds-follow-the-vote-v10');
  });

  it('a substantiated finding takes effect while the cycle is suspended: suspension pauses the stages, not the discipline side', async () => {
    // Found from outside: suspended, the finding that ended a candidacy hung 30 s and answered 504, and the
    // report stayed open with no finding until the organizer resumed — while a clearing finding passed.
    const cycleId = '440308:2064';
    const p = { cycleId };
    const { c, now, on } = inCycle(cycleId);
    const header = {};
    await cycleAtDecision(stack, organizer, '440308', '2064');
    const onS2 = await on('s2', 'suspended-s2');
    expectStatus(onS2, 201);
    expectStatus(await read(c().suspend.$post({ param: p, json: { reason: '上级要求暂缓' }, header })), 200);
    const proven = await finding(onS2.body.reportId, {
      finding: 'substantiated',
      consequence: 'disqualification',
      summary: '经查属实',
    });
    expectStatus(proven, 200);
    expect(proven.body.effect).toBe('candidacy: candidate s2 withdrawn');
    const suspended = await now();
    expect(suspended.status).toBe('suspended');
    expect(suspended.candidates.find((x) => x.personId === 's2')?.status).toBe('stopped');
    expect(suspended.holds).toEqual([]);
  });

  it('refuses a finding without a consequence, a second finding, and a report on someone not in the cycle', async () => {
    const r = await report({ target: { type: 'jurisdiction', jurisdictionId: '440308' }, category: 'other' });
    expectStatus(r, 201);
    const bad = await finding(r.body.reportId, { finding: 'substantiated', summary: '属实' });
    expectStatus(bad, 400);
    expect(bad.body.error.details).toEqual([
      { path: 'consequence', rule: expect.stringMatching(/needs a consequence/) },
    ]);
    const malicious = await finding(r.body.reportId, { finding: 'malicious', summary: '捏造事实' });
    expectStatus(malicious, 200);
    expect(malicious.body.effect).toMatch(/referred/);
    expect((await finding(r.body.reportId, { finding: 'unsubstantiated', summary: '再次' })).status).toBe(409);
    const stranger = await report({ target: { type: 'candidate', cycleId: CYCLE_ID, personId: 'nobody' } });
    expect(stranger.status).toBe(422);
  });
});

describe('deadlines and the ledger', () => {
  it('a direct check received before National Day is due on the right working day, then goes overdue and is escalated', async () => {
    // Tue 29 Sep 2026, 15:00: five working days skip 1–7 Oct and count Sat 10 Oct (调休): due at the close of Mon 12 Oct.
    const r = await report({
      target: { type: 'official', jurisdictionId: '440308', name: '某局长' },
      category: 'intercession',
      receivedAt: '2026-09-29T15:00:00+08:00',
    });
    expectStatus(r, 201);
    const escalated = await eventually(async () => {
      const l = (await live(r.body.reportId)).live;
      return l?.escalatedAt ? l : undefined;
    });
    expect(escalated.triage).toBe('directCheck');
    expect(beijingDate(escalated.deadline! - 1)).toBe('2026-10-12');
    expect(escalated.overdueAt).toBeLessThanOrEqual(escalated.escalatedAt!);
    // The live state says "escalated" a moment before the record does: wait for the record.
    const ledger = await eventually(async () => {
      const l = await ok(
        organizer.v1.reports.ledger.$get({
          query: { scope: '440308', from: '2026-09-29T00:00:00+08:00', to: '2026-09-30T00:00:00+08:00' },
        }),
      );
      return l.escalated === 1 && l;
    });
    expect(ledger).toMatchObject({
      received: 1,
      closed: 0,
      open: 1,
      overdueNow: 1,
      escalated: 1,
      byTriage: { directCheck: 1 },
      byChannel: { phone: 1 },
    });
    const { rows } = await stack.pool.query(`SELECT recipient FROM notifications WHERE body = $1 ORDER BY created_at`, [
      `report ${r.body.reportId}`,
    ]);
    expect(rows.map((x) => x.recipient)).toEqual(['unit:查核组', 'upper-level']);
  });

  it('a report that went overdue is never closed on time, even after a re-triage gave it a later deadline', async () => {
    // Found from outside: a direct check overdue at once, re-triaged to 立项督办 (its deadline counted again
    // from receipt, now ahead), then concluded, was counted closed on time in the ledger.
    const { reportDeadline } = await import('../../domain/eager/reports.js');
    const { policySchema } = await import('../../domain/eager/policy.js');
    const policy = policySchema.parse({});
    const now = Date.now();
    // A receipt whose direct check is past and whose supervised deadline is still ahead, whatever today is.
    const receivedAt = [2, 3, 4, 5, 6, 7, 8, 9]
      .map((days) => now - days * 86_400_000)
      .find((at) => reportDeadline('directCheck', at, policy) < now && reportDeadline('supervised', at, policy) > now);
    expect(receivedAt).toBeDefined();
    const r = await report({
      target: { type: 'official', jurisdictionId: '440310', name: '某主任' },
      category: 'intercession',
      receivedAt: new Date(receivedAt!).toISOString(),
    });
    expectStatus(r, 201);
    const reportId = r.body.reportId;
    await eventually(async () => (await live(reportId)).live?.overdueAt);
    const retriaged = await read(
      intake.v1.reports[':reportId'].triage.$post({
        param: { reportId },
        json: { kind: 'supervised', unit: '区纪委', reason: '转立项督办' },
        header: {},
      }),
    );
    expectStatus(retriaged, 200);
    expect(retriaged.body.deadline).toBeGreaterThan(now);
    expectStatus(await finding(reportId, { finding: 'unsubstantiated', summary: '经查不属实' }), 200);
    const closed = await eventually(async () => {
      const l = (await live(reportId)).live;
      return l?.status === 'closed' ? l : undefined;
    });
    expect(closed.closedOnTime).toBe(false);
    // report-late-stays-late: the recorded run is asked, and replays so (test/workflows/replay.test.ts).
    await recordHistory(stack.client, `report:${reportId}`, 'report-late-stays-late-v13');
    const from = new Date(receivedAt!).toISOString();
    const to = new Date(receivedAt! + 60_000).toISOString();
    const ledger = await eventually(async () => {
      const l = await ok(organizer.v1.reports.ledger.$get({ query: { scope: '440310', from, to } }));
      return l.closed === 1 && l;
    });
    expect(ledger).toMatchObject({ received: 1, closed: 1, closedOnTime: 0 });
  });

  it('a repeated intake with the same channel reference is linked, not doubled', async () => {
    const first = await report({
      target: { type: 'jurisdiction', jurisdictionId: '440308' },
      channel: 'letter',
      channelRef: 'LX-2026-0815',
      category: 'other',
    });
    const again = await report({
      target: { type: 'jurisdiction', jurisdictionId: '440308' },
      channel: 'letter',
      channelRef: 'LX-2026-0815',
      category: 'other',
    });
    expectStatus(first, 201);
    expectStatus(again, 200);
    expect(again.body).toEqual({
      reportId: first.body.reportId,
      duplicateOf: first.body.reportId,
      workflow: 'running',
      hold: { state: 'none', why: 'a report on a jurisdiction holds no cycle' },
    });
    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS n, max(duplicates) AS d FROM reports WHERE channel_ref = 'LX-2026-0815'`,
    );
    expect(rows[0]).toEqual({ n: 1, d: 1 });
  });

  it('Shanxi-sized: 221 reports across a province, all triaged and closed, 7 with disciplinary consequences — the ledger says exactly that', async () => {
    const shanxi: Jurisdiction[] = [
      { id: '140000', name: '山西省', level: 'province', parentId: null },
      ...['140100', '140200', '140300', '140400', '140500'].map((id, i) => ({
        id,
        name: ['太原市', '大同市', '阳泉市', '长治市', '晋城市'][i]!,
        level: 'city' as const,
        parentId: '140000',
      })),
      ...['140100', '140200', '140300', '140400', '140500'].flatMap((city) =>
        [1, 2, 3].map((n) => ({
          id: `${city.slice(0, 4)}0${n}`,
          name: `县${city}-${n}`,
          level: 'county' as const,
          parentId: city,
        })),
      ),
    ];
    const provincial = stack.as(await stack.token(['organizer'], '140000', '山西省委组织部'));
    // The root is the operator's to create; the caller scoped to it loads the rest.
    await provisionTree(
      stack.pool,
      shanxi.filter((j) => j.parentId === null),
    );
    expect((await read(provincial.v1.jurisdictions.$put({ json: { jurisdictions: shanxi }, header: {} }))).status).toBe(
      200,
    );
    const desk = stack.as(await stack.token(['intake'], '140000', '山西12380'));
    const unit = stack.as(await stack.token(['investigator'], '140000', '山西查核'));
    const counties = shanxi.filter((j) => j.level === 'county').map((j) => j.id);
    const channels = ['letter', 'phone', 'web', 'sms', 'wechat'] as const;
    const ids: string[] = [];
    const batch = async <T>(items: T[], fn: (t: T, i: number) => Promise<void>) => {
      for (let i = 0; i < items.length; i += 15) await Promise.all(items.slice(i, i + 15).map((t, j) => fn(t, i + j)));
    };
    await batch(
      Array.from({ length: 221 }, (_, i) => i),
      async (i) => {
        const res = await read(
          desk.v1.reports.$post({
            json: {
              channel: channels[i % 5]!,
              channelRef: `SX-${i}`,
              category: i % 3 === 0 ? 'voteBuying' : 'other',
              text: `线索 ${i}`,
              receivedAt: new Date().toISOString(),
              target: { type: 'official', jurisdictionId: counties[i % counties.length]!, name: `干部${i}` },
            },
            header: {},
          }),
        );
        expectStatus(res, 201);
        ids[i] = res.body.reportId;
      },
    );
    await batch(ids, async (id, i) => {
      const json: z.input<typeof R.findingSchema> =
        i < 7
          ? { finding: 'substantiated', consequence: 'sanction', summary: '违纪属实，给予处分' }
          : i < 20
            ? { finding: 'partly', consequence: 'criticism', summary: '部分属实，批评教育' }
            : { finding: 'unsubstantiated', summary: '经查不属实' };
      const res = await read(
        unit.v1.reports[':reportId'].findings.$post({ param: { reportId: id }, json, header: {} }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
    const ledger = await ok(provincial.v1.reports.ledger.$get({ query: { scope: '140000' } }));
    expect(ledger).toMatchObject({
      received: 221,
      closed: 221,
      closedOnTime: 221,
      open: 0,
      overdueNow: 0,
      disciplinary: 7,
      byFinding: { substantiated: 7, partly: 13, unsubstantiated: 201 },
      byChannel: { letter: 45, phone: 44, web: 44, sms: 44, wechat: 44 },
      byTriage: { important: 74, directCheck: 147 },
    });
  }, 120_000);
});

describe("the reporter's identity", () => {
  it('is sealed in Postgres, shown only to intake and investigators, and nowhere in clear in Temporal history or the logs', async () => {
    const contact = { name: '举报人王某某', phone: '13912345678', email: 'whistle@example.cn' };
    const logged: string[] = [];
    const original = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    const capture = (orig: typeof process.stdout.write) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = capture(original.out);
    process.stderr.write = capture(original.err);
    let reportId: string;
    try {
      const r = await report({
        target: { type: 'jurisdiction', jurisdictionId: '440308' },
        category: 'other',
        reporter: contact,
        text: '反映某社区选举拉票',
      });
      expectStatus(r, 201);
      reportId = r.body.reportId;
      // A bad request carrying the contact must not echo it either (an unknown category: sent raw).
      const bad = await stack.call('POST', '/v1/reports', {
        token: await stack.token(['intake'], '440300', '12380受理员'),
        body: {
          channel: 'phone',
          text: '反映有关问题',
          receivedAt: new Date().toISOString(),
          target: { type: 'jurisdiction', jurisdictionId: '440308' },
          category: 'nope',
          reporter: contact,
        },
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).not.toContain(contact.phone);
      await finding(reportId, { finding: 'unsubstantiated', summary: '经查不属实' });
      await eventually(async () => (await live(reportId)).status === 'closed');
    } finally {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    }
    const secrets = [contact.name, contact.phone, contact.email];
    for (const s of secrets) expect(logged.join(''), s).not.toContain(s);

    const plain = new Client({
      connection: await Connection.connect({ address: inject('temporalAddress') }),
      namespace: inject('namespace'),
    });
    try {
      const history = JSON.stringify(await plain.workflow.getHandle(`report:${reportId}`).fetchHistory());
      const decoded = (history.match(/[A-Za-z0-9+/=]{16,}/g) ?? [])
        .map((b) => Buffer.from(b, 'base64').toString('utf8'))
        .join('\n');
      for (const s of secrets) {
        expect(history, s).not.toContain(s);
        expect(decoded, s).not.toContain(s);
      }
    } finally {
      await plain.connection.close();
    }
    // Not even the decrypted payloads hold it: the workflow never receives it.
    const decryptedHistory = JSON.stringify(await stack.client.workflow.getHandle(`report:${reportId}`).fetchHistory());
    expect(decryptedHistory).not.toContain(contact.phone);

    const { rows } = await stack.pool.query('SELECT reporter_sealed, text_sealed FROM reports WHERE id = $1', [
      reportId,
    ]);
    expect(rows[0].reporter_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(rows[0])).not.toContain(contact.phone);
    const { rows: audit } = await stack.pool.query(`SELECT detail FROM audit_events WHERE subject_id = $1`, [reportId]);
    expect(JSON.stringify(audit)).not.toContain(contact.phone);

    const opened = (api: ApiClient) => ok(api.v1.reports[':reportId'].$get({ param: { reportId } }));
    expect((await opened(intake)).reporter).toEqual(contact);
    expect((await opened(investigator)).reporter).toEqual(contact);
    const asOrganizer = await opened(organizer);
    expect(asOrganizer.reporter).toBeUndefined();
    expect(asOrganizer.text).toBeUndefined();
    expect(JSON.stringify(asOrganizer)).not.toContain(contact.phone);
  });
});
