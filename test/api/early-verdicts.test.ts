/**
 * Issue 11.3: a department's verdict posted the instant a candidate exists — before its review task
 * row is written — must not vanish. The candidate, the departments' inboxes and the ledger agree,
 * for a dozen candidates whose seven departments all answer at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../domain/calendar.js';
import { ledgerRollupWorkflow } from '../../workflows/ledger.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
let organizer: string;
const CYCLE_ID = '440303:2027';
const CYCLE = `/v1/cycles/${CYCLE_ID}`;
const SEATS = 12;
const people = Array.from({ length: SEATS }, (_, i) => `e${i + 1}`);

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '组织部');
});
afterAll(() => stack?.stop());

const post = async (path: string, body: unknown, token = organizer) => {
  const res = await stack.call('POST', path, { token, body });
  if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const tally = (voters: number) => ({
  voters,
  observers: 0,
  tallies: [
    { positionId: 'member', persons: people.map((personId, i) => ({ personId, name: `候选${i}`, votes: 30 - i })) },
  ],
});

describe('verdicts sent at the earliest moment', () => {
  it('are answered in the inbox, on the candidate and in the ledger, whatever order they arrive in', async () => {
    await post('/v1/cycles', {
      jurisdictionId: '440303',
      term: '2027',
      positions: [{ id: 'member', title: '委员', seats: SEATS }],
      committees: { standing: 11, full: 31 },
      policy: { inspectionPerSeat: 1, shortlistPerSeat: 1, calendar: { kind: 'compressed', secondsPerWorkingDay: 5 } },
    });
    await eventually(
      async () => (await stack.call('POST', `${CYCLE}/launch`, { token: organizer, body: S.launch })).status === 200,
    );
    await eventually(
      async () =>
        (await stack.call('POST', `${CYCLE}/analysis`, { token: organizer, body: S.analysis })).status === 200,
    );
    await eventually(
      async () =>
        (
          await stack.call('POST', `${CYCLE}/recommendation-rounds`, {
            token: organizer,
            body: { round: 'cadreMeeting', ...tally(100) },
          })
        ).status === 200,
    );
    await post(`${CYCLE}/recommendation-rounds`, { round: 'fullCommittee', ...tally(31) });

    const reviewers = Object.fromEntries(
      await Promise.all(
        S.DEPARTMENTS.map(async (d) => [d, await stack.token([`reviewer:${d}`], '440300', `reviewer-${d}`)] as const),
      ),
    );
    // Every candidate, at the instant its workflow answers: all seven departments at once.
    await Promise.all(
      people.map(async (p) => {
        const base = `${CYCLE}/candidates/${p}`;
        await eventually(async () => (await stack.call('GET', base, { token: organizer })).status === 200, 30_000, 20);
        const answers = await Promise.all(
          S.DEPARTMENTS.map((d) => stack.call('POST', `${base}/verdicts`, { token: reviewers[d]!, body: S.clear(d) })),
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
      const cand = (await stack.call('GET', `${CYCLE}/candidates/${p}`, { token: organizer })).body;
      expect(cand.dossier.reviews.map((r: { verdict?: string }) => r.verdict)).toEqual(
        S.DEPARTMENTS.map(() => 'clear'),
      );
    }
    const { rows } = await stack.pool.query(
      `SELECT status, verdict, count(*)::int AS n, bool_and(chase_at IS NOT NULL AND deadline IS NOT NULL) AS dated
       FROM review_tasks WHERE cycle_id = $1 GROUP BY 1, 2`,
      [CYCLE_ID],
    );
    expect(rows).toEqual([{ status: 'answered', verdict: 'clear', n: SEATS * S.DEPARTMENTS.length, dated: true }]);
    for (const d of S.DEPARTMENTS) {
      const inbox = await stack.call('GET', '/v1/reviews/inbox', { token: reviewers[d]! });
      expect(inbox.status).toBe(200);
      expect(inbox.body.tasks.filter((t: { cycleId: string }) => t.cycleId === CYCLE_ID)).toEqual([]);
    }
    // The evening rollup, run now, writes the day's snapshot that the ledger answers from.
    const today = beijingDate(Date.now());
    await stack.client.workflow.execute(ledgerRollupWorkflow, {
      workflowId: `ledger-early-verdicts-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ day: today }],
    });
    const ledger = await stack.call('GET', `/v1/ledger?scope=440303&date=${today}`, {
      token: organizer,
    });
    expect(ledger.status).toBe(200);
    expect(ledger.body.own).toMatchObject({
      candidates: SEATS,
      integrityOpinions: SEATS,
      percent: { integrityOpinions: 100 },
    });
  });
});
