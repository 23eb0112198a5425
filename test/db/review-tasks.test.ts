/**
 * A candidate's acts on real PostgreSQL (activities/reviews.ts recordCandidate). The departments'
 * review tasks (issue 11.3): an opening and a verdict written in either order end the same — answered
 * with its verdict, dated by the opening, counted by the ledger. The candidate's recorded state (what
 * the API reads) only moves forward in version, and a retried act is one act.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHAIN_LOCK } from '../../activities/audit.js';
import { createPool, type Pool } from '../../activities/db.js';
import { createLedgerActivities } from '../../activities/ledger.js';
import { createReviewActivities, type CandidateAct, type CandidateRef } from '../../activities/reviews.js';
import { beijingDate } from '../../domain/eager/calendar.js';
import type { AuditEvent } from '../../domain/events.js';
import { createThrowawayDatabase } from '../../scripts/throwaway.js';
import type { CandidateState } from '../../workflows/contracts/candidate.js';

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
const stateOf = (
  personId: string,
  version: number,
  status: CandidateState['status'] = 'inspecting',
): CandidateState => ({
  cycleId: `${J}:2026`,
  personId,
  name: '陈静',
  positionId: 'deputy',
  status,
  startedAt: opened,
  version,
});
const act = (p: string, version: number, parts: Partial<CandidateAct>, action: string) =>
  reviews.recordCandidate({ ref: ref(p), state: stateOf(p, version), events: [event(action)], ...parts });
const open = (p: string) => act(p, 1, { opened: { departments: ['discipline', 'audit'], ...at } }, 'review.opened');
const answer = (p: string, department: 'discipline' | 'audit', when = Date.now()) =>
  act(
    p,
    2,
    { verdict: { department, verdict: 'clear', reason: '经查，未发现问题', by: `reviewer-${department}`, at: when } },
    'review.answered',
  );
const tasks = async (p: string) =>
  (
    await pool.query(
      `SELECT department, status, verdict, opened_at, chase_at, deadline, answered_at FROM review_tasks
       WHERE cycle_id = $1 AND person_id = $2 ORDER BY department`,
      [`${J}:2026`, p],
    )
  ).rows;

const recorded = async (p: string) =>
  (
    await pool.query(`SELECT version, status, state FROM candidate_states WHERE cycle_id = $1 AND person_id = $2`, [
      `${J}:2026`,
      p,
    ])
  ).rows[0];

beforeAll(async () => {
  database = await createThrowawayDatabase(inject('adminDatabaseUrl'), 'huanjie_reviews');
  pool = createPool(database.url);
  await pool.query(
    `INSERT INTO jurisdictions (id, name, level, parent_id, ancestors) VALUES ($1, '宝安区', 'county', NULL, ARRAY[$1])`,
    [J],
  );
  reviews = createReviewActivities({ pool });
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
    const chase = event('review.chased');
    await act(
      'early',
      3,
      { late: [{ departments: ['discipline', 'audit'], kind: 'chased', at: Date.now(), key: chase.key }] },
      'review.chased',
    );
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

describe("a candidate's recorded state", () => {
  it('moves only forward: an older act written late leaves the newer state', async () => {
    await reviews.recordCandidate({
      ref: ref('order'),
      state: stateOf('order', 5, 'passed'),
      events: [event('dossier.passed')],
    });
    await reviews.recordCandidate({
      ref: ref('order'),
      state: stateOf('order', 4),
      events: [event('review.answered')],
    });
    expect(await recorded('order')).toMatchObject({
      version: 5,
      status: 'passed',
      state: { status: 'passed', version: 5 },
    });
  });

  it("keeps the personal-matters rules of the start even when a sender's later act got there first", async () => {
    // An inspection input answered before the start's record was written (the API records it itself).
    const later = stateOf('rules', 3);
    await reviews.recordCandidateAnswer({
      ...later,
      forRecord: [{ ref: ref('rules'), events: [event('inspection.recorded')] }],
    });
    await reviews.recordCandidate({
      ref: ref('rules'),
      state: stateOf('rules', 2),
      events: [event('inspection.started'), event('review.opened')],
      rules: { declarableItems: ['realEstate'] } as never,
      opened: { departments: ['discipline'], ...at },
    });
    const { rows } = await pool.query(
      `SELECT version, personal_matters_rules AS rules FROM candidate_states WHERE cycle_id = $1 AND person_id = 'rules'`,
      [`${J}:2026`],
    );
    expect(rows).toEqual([{ version: 3, rules: { declarableItems: ['realEstate'] } }]);
  });

  it('takes a retried act once: one audit event, the tasks closed, the same state', async () => {
    const stopped = event('candidate.stopped');
    const closing: CandidateAct = {
      ref: ref('retry'),
      state: stateOf('retry', 2, 'stopped'),
      events: [stopped],
      closeTasks: true,
    };
    await open('retry');
    await reviews.recordCandidate(closing);
    await reviews.recordCandidate(closing);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE idem_key = $1`, [stopped.key]);
    expect(rows[0].n).toBe(1);
    expect((await tasks('retry')).map((t) => t.status)).toEqual(['closed', 'closed']);
    expect(await recorded('retry')).toMatchObject({ version: 2, status: 'stopped' });
  });
});

describe("an answer's acts already on the record", () => {
  /** How a write ends while another transaction holds the audit chain's lock: done, or queued behind it. */
  async function whileChainLocked(write: () => Promise<unknown>): Promise<'done' | 'waiting for the chain'> {
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const pending = write();
    try {
      for (;;) {
        const settled = await Promise.race([pending.then(() => true), new Promise((r) => setTimeout(r, 50, false))]);
        if (settled) return 'done';
        const { rows } = await holder.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
          [CHAIN_LOCK],
        );
        if (rows[0].n > 0) return 'waiting for the chain';
      }
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      await pending;
    }
  }
  const audited = async (keys: string[]) =>
    (await pool.query(`SELECT idem_key FROM audit_events WHERE idem_key = ANY($1) ORDER BY id`, [keys])).rows.map(
      (r) => r.idem_key,
    );

  it('are not written again, and wait for no other writer of the chain', async () => {
    // Every later input's sender gets the acts the workflow has not recorded itself yet, and most of
    // them an earlier sender wrote: a sender appended each again under the chain's lock, queued behind
    // every other writer of the whole system.
    const first = { ref: ref('again'), events: [event('inspection.recorded')] };
    await reviews.recordCandidateAnswer({ ...stateOf('again', 2), forRecord: [first] });
    expect(
      await whileChainLocked(() => reviews.recordCandidateAnswer({ ...stateOf('again', 3), forRecord: [first] })),
    ).toBe('done');
    expect(await recorded('again')).toMatchObject({ version: 3 });
    expect(await audited([first.events[0]!.key])).toHaveLength(1);
  });

  it('leave the acts not yet on it written whole, in order, each once', async () => {
    const first = { ref: ref('mixed'), events: [event('inspection.recorded')] };
    await reviews.recordCandidateAnswer({ ...stateOf('mixed', 2), forRecord: [first] });
    await open('mixed');
    const verdict = {
      ref: ref('mixed'),
      events: [event('review.answered')],
      verdict: {
        department: 'audit' as const,
        verdict: 'clear' as const,
        reason: '经查，未发现问题',
        by: 'reviewer-audit',
        at: Date.now(),
      },
    };
    const late = { ref: ref('mixed'), events: [event('personal-matters.recorded'), event('inspection.recorded')] };
    expect(
      await whileChainLocked(() =>
        reviews.recordCandidateAnswer({ ...stateOf('mixed', 4), forRecord: [first, verdict, late] }),
      ),
    ).toBe('waiting for the chain');
    const keys = [first, verdict, late].flatMap((a) => a.events.map((e) => e.key));
    expect(await audited(keys)).toEqual(keys);
    expect((await tasks('mixed')).map((t) => [t.department, t.status])).toEqual([
      ['audit', 'answered'],
      ['discipline', 'open'],
    ]);
    expect(await recorded('mixed')).toMatchObject({ version: 4 });
  });
});
