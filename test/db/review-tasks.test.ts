/**
 * The departments' review tasks on real PostgreSQL (issue 11.3): a candidate's workflow opens the
 * tasks and records verdicts through separate activities that may run in either order. Whatever the
 * order, a task ends answered with its verdict, dated by the opening, and counted by the ledger.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '../../activities/db.js';
import { createLedgerActivities } from '../../activities/ledger.js';
import { createReviewActivities, type CandidateRef } from '../../activities/reviews.js';
import { createSealer } from '../../activities/sealed.js';
import { beijingDate } from '../../domain/calendar.js';
import type { AuditEvent } from '../../domain/events.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { createThrowawayDatabase } from '../../scripts/throwaway.js';
import { TEST_CODEC_KEYS } from '../keys.js';

let database: Awaited<ReturnType<typeof createThrowawayDatabase>>;
let pool: Pool;
let reviews: ReturnType<typeof createReviewActivities>;

const J = '440306';
const ref = (personId: string): CandidateRef => ({
  cycleId: `${J}:2026`,
  personId,
  jurisdictionId: J,
  positionId: 'deputy',
  name: '陈静',
});
const event = (action: string): AuditEvent => ({
  key: `candidate:${randomUUID()}`,
  at: Date.now(),
  actor: { id: 'system', role: 'system' },
  subjectType: 'candidate',
  subjectId: 'p',
  cycleId: `${J}:2026`,
  jurisdictionId: J,
  action,
});
const DAY = 86_400_000;
const opened = Date.now() - 1000;
const at = { openedAt: opened, chaseAt: opened + 3 * DAY, deadline: opened + 5 * DAY };
const open = (p: string) => reviews.openReviewTasks(ref(p), ['discipline', 'audit'], at, event('review.opened'));
const answer = (p: string, department: 'discipline' | 'audit', when = Date.now()) =>
  reviews.recordVerdict(
    ref(p),
    { department, verdict: 'clear', reason: '经查，未发现问题', by: `reviewer-${department}`, at: when },
    event('review.answered'),
  );
const tasks = async (p: string) =>
  (
    await pool.query(
      `SELECT department, status, verdict, opened_at, chase_at, deadline, answered_at FROM review_tasks
       WHERE cycle_id = $1 AND person_id = $2 ORDER BY department`,
      [`${J}:2026`, p],
    )
  ).rows;

beforeAll(async () => {
  database = await createThrowawayDatabase(inject('adminDatabaseUrl'), 'huanjie_reviews');
  pool = createPool(database.url);
  await pool.query(
    `INSERT INTO jurisdictions (id, name, level, parent_id, ancestors) VALUES ($1, '宝安区', 'county', NULL, ARRAY[$1])`,
    [J],
  );
  reviews = createReviewActivities({ pool, sealer: createSealer(parseCodecKeys(TEST_CODEC_KEYS)) });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('review tasks written in any order', () => {
  it('keep a verdict recorded before the task was opened', async () => {
    await answer('early', 'discipline');
    await open('early');
    const [audit, discipline] = await tasks('early');
    expect(discipline).toMatchObject({ status: 'answered', verdict: 'clear' });
    // The opening still dates the task (the ledger counts candidates by it), and sets the deadlines.
    expect(discipline.opened_at.getTime()).toBe(opened);
    expect(discipline.chase_at.getTime()).toBe(at.chaseAt);
    expect(discipline.deadline.getTime()).toBe(at.deadline);
    expect(audit).toMatchObject({ status: 'open', verdict: null });
    // A chase after both writes leaves the answered department alone.
    await reviews.markLateReviews(ref('early'), ['discipline', 'audit'], 'chased', Date.now(), event('review.chased'));
    expect((await tasks('early')).map((t) => t.status)).toEqual(['chased', 'answered']);
  });

  it('give the same rows as the usual order', async () => {
    const when = Date.now();
    await open('usual');
    await answer('usual', 'discipline', when);
    await answer('early2', 'discipline', when);
    await open('early2');
    expect(await tasks('early2')).toEqual(await tasks('usual'));
  });

  it('are counted by the ledger as integrity opinions', async () => {
    const [figures] = await createLedgerActivities({ pool }).computeLedger(beijingDate(Date.now() + DAY), J);
    // Three candidates, each with the discipline commission's answer, whichever write came first.
    expect(figures!.own).toMatchObject({ candidates: 3, integrityOpinions: 3 });
  });
});
