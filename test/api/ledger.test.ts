/**
 * The daily ledger (一天一呈报): the rollup writes per jurisdiction and subtree the counts and
 * percentages docs/domain.md names; they match the record; a past day answers as it stood then; and a
 * Temporal Schedule runs the rollup every evening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../domain/eager/calendar.js';
import { createSimulator, quickTemplate } from '../../scripts/simulator.js';
import { ensureLedgerSchedule, LEDGER_SCHEDULE_ID } from '../../temporal/schedules.js';
import { ledgerRollupWorkflow } from '../../workflows/ledger.js';
import type { Jurisdiction } from '../../domain/eager/schemas.js';
import { eventually, startStack, type Stack, provisionTree } from '../helpers.js';
import { expectStatus, ok, read } from './client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
});
afterAll(() => stack?.stop());

describe('the daily ledger', () => {
  it('rolls up integrity opinions, personal matters, files, reports and stages per jurisdiction and subtree', async () => {
    const towns = ['330602001', '330602002', '330602003'];
    const tree: Jurisdiction[] = [
      { id: '330000', name: '浙江省', level: 'province', parentId: null },
      { id: '330600', name: '绍兴市', level: 'city', parentId: '330000' },
      { id: '330602', name: '越城区', level: 'county', parentId: '330600' },
      ...towns.map((id, i) => ({
        id,
        name: ['府山街道', '塔山街道', '北海街道'][i]!,
        level: 'township' as const,
        parentId: '330602',
      })),
    ];
    // The root is the operator's to create; the caller scoped to it loads the rest.
    await provisionTree(
      stack.pool,
      tree.filter((j) => j.parentId === null),
    );
    const province = stack.as(await stack.token(['organizer'], '330000'));
    expect((await read(province.v1.jurisdictions.$put({ json: { jurisdictions: tree }, header: {} }))).status).toBe(
      200,
    );
    const organizer = await stack.token(['organizer'], '330600', '绍兴市委组织部');
    const viewer = stack.as(await stack.token(['viewer'], '330600', '市领导'));
    const simulator = createSimulator({
      baseUrl: stack.api.url,
      organizerToken: organizer,
      reviewerToken: await stack.token(['reviewer:discipline'], '330600'),
    });
    const template = quickTemplate(0.05);
    for (const town of towns) {
      const started = stack
        .as(organizer)
        .v1.cycles.$post({ json: { jurisdictionId: town, term: '2026', ...template } });
      expect((await read(started)).status).toBe(201);
    }
    // Two cycles run to the end; the third stops after the recommendation (nobody inspected yet).
    await Promise.all(towns.slice(0, 2).map((t) => simulator.driveCycle(`${t}:2026`)));
    const third = `/v1/cycles/${towns[2]}:2026`;
    await simulator.send(`${third}/launch`, {
      responsibilities: [{ task: 't', measure: 'm', deadline: '2026-12-31', owner: 'o' }],
      educationSessions: 1,
      commitmentLetters: 1,
    });
    await simulator.send(`${third}/analysis`, { vacanciesPublishedOn: '2026-11-01', eligibleChecked: 1 });
    for (const round of [
      { round: 'cadreMeeting', voters: 60 },
      { round: 'fullCommittee', voters: 9 },
    ]) {
      await simulator.send(`${third}/recommendation-rounds`, {
        ...round,
        tallies: [{ positionId: 'secretary', persons: [{ personId: 'secretary-1', name: '候选人', votes: 5 }] }],
      });
    }
    await simulator.waitFor(`${towns[2]}:2026`, (s) => s.stage === 'inspection' && s.candidates[0].opened);

    const intake = stack.as(await stack.token(['intake'], '330600'));
    const investigator = stack.as(await stack.token(['investigator'], '330600'));
    const now = new Date().toISOString();
    const report = (channel: 'web' | 'sms', jurisdictionId: string) =>
      read(
        intake.v1.reports.$post({
          json: {
            channel,
            category: 'other',
            text: '线索',
            receivedAt: now,
            target: { type: 'jurisdiction', jurisdictionId },
          },
          header: {},
        }),
      );
    const r1 = await report('web', towns[0]!);
    await report('sms', towns[1]!);
    expectStatus(r1, 201);
    const finding = investigator.v1.reports[':reportId'].findings.$post({
      param: { reportId: r1.body.reportId },
      json: { finding: 'unsubstantiated', summary: '不属实' },
      header: {},
    });
    expect((await read(finding)).status).toBe(200);

    const today = beijingDate(Date.now());
    const ledger = (query: { scope?: string; date?: string }) => ok(viewer.v1.ledger.$get({ query }));
    // The third cycle's unanswered review is chased, then escalated, by its (fast) calendar's timers:
    // only once both have fired does nothing move between the snapshot and the live figures.
    // A bound, not a timing: in a full run the worker shares two cores with a 105-cycle campaign.
    await eventually(async () => {
      const { discipline } = (await ledger({ scope: '330600', date: today })).subtree.reviews;
      if (discipline?.chased === 1 && discipline.escalated === 1) return true;
      throw new Error(`discipline reviews on ${today}: ${JSON.stringify(discipline)}`); // said if it never comes
    }, 60_000);
    const written = await stack.client.workflow.execute(ledgerRollupWorkflow, {
      workflowId: `ledger-test-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ day: today }],
    });
    expect(written.day).toBe(today);

    const city = await ledger({ scope: '330600', date: today });
    // Today answers live; the evening's snapshot holds the same figures.
    expect(city.source).toBe('computed');
    const snapshot = await stack.pool.query(
      'SELECT subtree FROM ledger_snapshots WHERE day = $1 AND jurisdiction_id = $2',
      [today, '330600'],
    );
    expect(snapshot.rows[0].subtree).toEqual(city.subtree);
    expect(city.subtree).toMatchObject({
      candidates: 3,
      integrityOpinions: 2,
      personalMattersChecked: 2,
      filesReviewed: 2,
      reportsReceived: 2,
      reportsClosed: 1,
      cycles: 3,
      byStage: { closed: 2, inspection: 1 },
      percent: { integrityOpinions: 66.7, personalMattersChecked: 66.7, filesReviewed: 66.7, reportsClosed: 50 },
    });
    expect(city.own).toMatchObject({ candidates: 0, cycles: 0 });
    const town = await ledger({ scope: towns[0]!, date: today });
    expect(town.own).toMatchObject({
      candidates: 1,
      integrityOpinions: 1,
      reportsClosed: 1,
      byStage: { closed: 1 },
      percent: { integrityOpinions: 100 },
    });

    // The ledger agrees with the cycles' own record.
    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS candidates FROM cycle_people p JOIN cycles c ON c.id = p.cycle_id JOIN jurisdictions j ON j.id = c.jurisdiction_id
       WHERE '330600' = ANY(j.ancestors) AND p.candidate_status IS NOT NULL`,
    );
    expect(rows[0].candidates).toBe(city.subtree.candidates);

    // Computed on the fly for a day without a snapshot; the day before all this, nothing had happened.
    const yesterday = beijingDate(Date.now() - 86_400_000);
    const before = await ledger({ scope: '330600', date: yesterday });
    expect(before).toMatchObject({
      source: 'computed',
      subtree: { candidates: 0, reportsReceived: 0, cycles: 0, percent: { integrityOpinions: null } },
    });
    const live = await ledger({ scope: '330600' });
    expect(live.subtree.candidates).toBe(3);
  }, 180_000);

  it('is run every evening by a Temporal Schedule, created once', async () => {
    expect(['created', 'exists']).toContain(await ensureLedgerSchedule(stack.client, stack.taskQueue));
    expect(await ensureLedgerSchedule(stack.client, stack.taskQueue)).toBe('exists');
    const d = await stack.client.schedule.getHandle(LEDGER_SCHEDULE_ID).describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    expect(d.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 23, end: 23, step: 1 }],
      minute: [{ start: 50, end: 50, step: 1 }],
    });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'ledgerRollupWorkflow' });
  });
});
