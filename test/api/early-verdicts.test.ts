/**
 * Issue 11.3: a department's verdict posted the instant a candidate exists — before its review task
 * row is written — must not vanish. The candidate, the departments' inboxes and the ledger agree,
 * for a dozen candidates whose seven departments all answer at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../domain/eager/calendar.js';
import { ledgerRollupWorkflow } from '../../workflows/ledger.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
const CYCLE_ID = '440303:2027';
const param = { cycleId: CYCLE_ID };
const SEATS = 12;
const people = Array.from({ length: SEATS }, (_, i) => `e${i + 1}`);

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部'));
});
afterAll(() => stack?.stop());

const cycle = () => organizer.v1.cycles[':cycleId'];
const header = {};
const tally = (voters: number) => ({
  voters,
  observers: 0,
  tallies: [
    { positionId: 'member', persons: people.map((personId, i) => ({ personId, name: `候选${i}`, votes: 30 - i })) },
  ],
});

describe('verdicts sent at the earliest moment', () => {
  it('are answered in the inbox, on the candidate and in the ledger, whatever order they arrive in', async () => {
    const started = await read(
      organizer.v1.cycles.$post({
        json: {
          jurisdictionId: '440303',
          term: '2027',
          positions: [{ id: 'member', title: '委员', seats: SEATS }],
          committees: { standing: 11, full: 31 },
          policy: {
            inspectionPerSeat: 1,
            shortlistPerSeat: 1,
            calendar: { kind: 'compressed', secondsPerWorkingDay: 5 },
          },
        },
      }),
    );
    if (started.status !== 200 && started.status !== 201)
      throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    await eventually(async () => (await read(cycle().launch.$post({ param, json: S.launch, header }))).status === 200);
    await eventually(
      async () => (await read(cycle().analysis.$post({ param, json: S.analysis, header }))).status === 200,
    );
    const rounds = cycle()['recommendation-rounds'];
    await eventually(
      async () =>
        (await read(rounds.$post({ param, json: { round: 'cadreMeeting', ...tally(100) }, header }))).status === 200,
    );
    await ok(rounds.$post({ param, json: { round: 'fullCommittee', ...tally(31) }, header }), 200, 'fullCommittee');

    const reviewers = Object.fromEntries(
      await Promise.all(
        S.DEPARTMENTS.map(
          async (d) => [d, stack.as(await stack.token([`reviewer:${d}`], '440300', `reviewer-${d}`))] as const,
        ),
      ),
    );
    // Every candidate, at the instant its workflow answers: all seven departments at once.
    await Promise.all(
      people.map(async (p) => {
        const of = { cycleId: CYCLE_ID, personId: p };
        await eventually(
          async () => (await read(cycle().candidates[':personId'].$get({ param: of }))).status === 200,
          30_000,
          20,
        );
        const answers = await Promise.all(
          S.DEPARTMENTS.map((d) =>
            read(
              reviewers[d]!.v1.cycles[':cycleId'].candidates[':personId'].verdicts.$post({
                param: of,
                json: S.clear(d),
                header,
              }),
            ),
          ),
        );
        for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
      }),
    );

    // Once every candidate has opened its review tasks (whenever that happened) ...
    await eventually(async () => {
      const { rows } = await stack.pool.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = $1 AND action = 'review.opened'`,
        [CYCLE_ID],
      );
      return rows[0].n === SEATS;
    }, 30_000);

    // ... the candidate, the record, the inbox and the ledger all say every department answered.
    for (const p of people) {
      const cand = await ok(cycle().candidates[':personId'].$get({ param: { cycleId: CYCLE_ID, personId: p } }));
      expect(cand.dossier!.reviews.map((r) => r.verdict)).toEqual(S.DEPARTMENTS.map(() => 'clear'));
    }
    const { rows } = await stack.pool.query(
      `SELECT status, verdict, count(*)::int AS n, bool_and(chase_at IS NOT NULL AND deadline IS NOT NULL) AS dated
       FROM review_tasks WHERE cycle_id = $1 GROUP BY 1, 2`,
      [CYCLE_ID],
    );
    expect(rows).toEqual([{ status: 'answered', verdict: 'clear', n: SEATS * S.DEPARTMENTS.length, dated: true }]);
    for (const d of S.DEPARTMENTS) {
      const inbox = await read(reviewers[d]!.v1.reviews.inbox.$get({ query: {} }));
      expectStatus(inbox, 200);
      expect(inbox.body.tasks.filter((t) => t.cycleId === CYCLE_ID)).toEqual([]);
    }
    // The evening rollup, run now, writes the day's snapshot that the ledger answers from.
    const today = beijingDate(Date.now());
    await stack.client.workflow.execute(ledgerRollupWorkflow, {
      workflowId: `ledger-early-verdicts-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ day: today }],
    });
    const ledger = await read(organizer.v1.ledger.$get({ query: { scope: '440303', date: today } }));
    expectStatus(ledger, 200);
    expect(ledger.body.own).toMatchObject({
      candidates: SEATS,
      integrityOpinions: SEATS,
      percent: { integrityOpinions: 100 },
    });
  });
});
