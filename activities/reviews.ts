/**
 * A candidate's acts on the record: the departments' inboxes (review tasks), the personal-matters
 * record, the notifications of late departments, the audit trail and the candidate's read model
 * (candidate_states), all of one act in one transaction. Written by one of two hands: the candidate's
 * workflow, through the `recordCandidate` activity, for what it does itself (deadline points, the
 * act that ends the inspection, the start of a run from before `starterRecordsStart`); and, from the
 * Update's answer (`recordCandidateAnswer`; contracts/candidate.ts ActForRecord says why that is
 * exact), the sender: the API for an inspection input that did not end it, the activity that
 * started the candidate (activities/candidates.ts) for the start. The workflow's own records carry every act it answered since
 * its last one, so an act whose sender never wrote it is still recorded.
 *
 * Every write is idempotent (keyed by cycle, person and department; audit events by their key; the
 * state by its version), so a retried act is one act. Writes keep the most advanced state: an answer is
 * never overwritten by an opening, and a state never by an older one.
 *
 * After the commit, a candidate the cycle started through an activity tells the cycle what it must
 * show (late departments, the outcome) by signal from here, which costs the candidate's history
 * nothing. The cycle takes a repeated outcome once.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type {
  ActForRecord,
  CandidateAct,
  CandidateAnswer,
  CandidateRef,
  CandidateState,
} from '../workflows/contracts/candidate.js';
export type { ActForRecord, CandidateAct, CandidateRef } from '../workflows/contracts/candidate.js';
import {
  hearCandidateOutcomeUpdate,
  reviewsLateSignal,
  type CycleActsForRecord,
} from '../workflows/contracts/cycle.js';
import { createRecordActivities } from './record.js';
import { appendAuditEvents, keysOnRecord } from './audit.js';
import type { Client as DbClient, Pool } from './db.js';
import { withTransaction } from './db.js';
import { candidateSubject } from './sealed-details.js';

const CONSEQUENCE = {
  consistent: 'none',
  omission: '批评教育 (criticism and education); candidacy continues',
  concealment: '诫勉 (admonishment); candidacy stopped',
} as const;

export function createReviewActivities({ pool, client }: { pool: Pool; client?: Client }) {
  const records = createRecordActivities({ pool });
  const recordCycleAnswer = (acts: CycleActsForRecord | undefined) => records.recordCycleAnswer(acts);
  return {
    async recordCandidate(act: CandidateAct): Promise<void> {
      await withTransaction(pool, async (db) => {
        const { ref: c } = act;
        // Acts answered before they were on the record come first, as they came; those their senders
        // have written already are left (every write below is idempotent anyway).
        const { fresh: earlier, taken } = await notYetOnRecord(db, act.earlier ?? [], act.events);
        for (const e of earlier) await writeActRows(db, e);
        await writeActRows(db, {
          ref: c,
          events: [],
          opened: act.opened,
          verdict: act.verdict,
          personalMatters: act.personalMatters,
        });
        for (const late of act.late ?? []) await markLate(db, c, late);
        if (act.closeTasks)
          await db.query(
            `UPDATE review_tasks SET status = 'closed' WHERE cycle_id = $1 AND person_id = $2 AND verdict IS NULL`,
            [c.cycleId, c.personId],
          );
        await writeState(db, { ...act, rules: act.rules ?? rulesIn(act.earlier) });
        // Last: the audit chain's lock is held from here to the commit, serializing every writer.
        await appendAuditEvents(db, [...earlier.flatMap((e) => e.events), ...act.events], taken);
      });
      if (act.tell && client) await tell(client, act.tell, recordCycleAnswer);
    },

    /**
     * What the sender of an inspection input does with its answer: puts the act on the record when the
     * candidate left that to it (contracts/candidate.ts ActForRecord), with the state the answer
     * carries; returns that state.
     */
    async recordCandidateAnswer(answer: CandidateAnswer): Promise<CandidateState> {
      const { forRecord: acts, ...state } = answer;
      if (acts && acts.length > 0)
        await withTransaction(pool, async (db) => {
          // The answer carries every act not yet in the workflow's own records, most of them written
          // by earlier senders: only the rest are written (a candidate's tenth input wrote ten acts).
          const { fresh, taken } = await notYetOnRecord(db, acts);
          for (const act of fresh) await writeActRows(db, act);
          await writeState(db, { ref: acts[0]!.ref, state, events: acts.at(-1)!.events, rules: rulesIn(acts) });
          await appendAuditEvents(
            db,
            fresh.flatMap((a) => a.events),
            taken,
          );
        });
      return state;
    },
  };
}

/**
 * The acts not yet on the record, in their order, and the keys found among theirs and `also`'s (looked
 * up in one query): an act whose every audit event is on the chain was written whole (its rows and its
 * events commit together), so it is left out.
 */
async function notYetOnRecord(db: DbClient, acts: ActForRecord[], also: AuditEvent[] = []) {
  const taken = await keysOnRecord(
    db,
    [...acts.flatMap((a) => a.events), ...also].map((e) => e.key),
  );
  const fresh = acts.filter((a) => a.events.length === 0 || a.events.some((e) => !taken.has(e.key)));
  return { fresh, taken };
}

/** The personal-matters rules the start carries, if the start is among these acts. */
const rulesIn = (acts: ActForRecord[] | undefined) => acts?.find((a) => a.rules)?.rules;

/** The rows one act changes besides the audit trail and the state (its events go last, see above). */
async function writeActRows(db: DbClient, act: ActForRecord) {
  if (act.opened) await openTasks(db, act.ref, act.opened);
  if (act.verdict) await answerTask(db, act.ref, act.verdict);
  if (act.personalMatters) await recordPersonalMatters(db, act.ref, act.personalMatters);
}

/**
 * Tells the cycle (whichever run is current) of late departments and the outcome. The outcome goes
 * as an Update whose answer carries the cycle's acts for this activity to record. A cycle that has
 * ended (aborted meanwhile) has nobody left to tell; anything else is tried again (the update id
 * makes a repeat one outcome, and the cycle takes a repeated outcome once anyway).
 */
async function tell(
  client: Client,
  to: NonNullable<CandidateAct['tell']>,
  recordCycleAnswer: (acts: CycleActsForRecord | undefined) => Promise<void>,
) {
  const cycle = client.workflow.getHandle(to.workflowId);
  try {
    if (to.late && to.late.length > 0) await cycle.signal(reviewsLateSignal, to.late);
    if (to.outcome) {
      const heard = await cycle.executeUpdate(hearCandidateOutcomeUpdate, {
        args: [to.outcome],
        updateId: `outcome:${to.outcome.personId}`,
      });
      await recordCycleAnswer(heard.forRecord);
    }
  } catch (e) {
    if (!(await cycleEnded(cycle, e))) throw e;
  }
}

async function cycleEnded(cycle: WorkflowHandle, e: unknown): Promise<boolean> {
  const ending =
    e instanceof WorkflowNotFoundError ||
    (e instanceof WorkflowUpdateFailedError &&
      e.cause instanceof ApplicationFailure &&
      e.cause.type === 'AcceptedUpdateCompletedWorkflow');
  if (!ending) return false;
  const status = await cycle.describe().then(
    (d) => d.status.name,
    (err: unknown) => (err instanceof WorkflowNotFoundError ? 'NOT_FOUND' : 'UNKNOWN'),
  );
  return status !== 'RUNNING' && status !== 'UNKNOWN';
}

async function writeState(
  db: DbClient,
  { ref: c, state, events, rules }: Pick<CandidateAct, 'ref' | 'state' | 'events' | 'rules'>,
) {
  await db.query(
    `INSERT INTO candidate_states (cycle_id, person_id, jurisdiction_id, status, version, state, personal_matters_rules, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (cycle_id, person_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
       state = EXCLUDED.state, updated_at = EXCLUDED.updated_at,
       personal_matters_rules = COALESCE(EXCLUDED.personal_matters_rules, candidate_states.personal_matters_rules)
     WHERE candidate_states.version < EXCLUDED.version`,
    [
      c.cycleId,
      c.personId,
      c.jurisdictionId,
      state.status,
      state.version,
      JSON.stringify(state),
      rules === undefined ? null : JSON.stringify(rules),
      new Date(events.at(-1)?.at ?? state.startedAt),
    ],
  );
  // The rules come with the start, whose record can arrive after a later act's (the API records an
  // inspection input itself, possibly first): they are kept whatever the versions say.
  if (rules !== undefined)
    await db.query(
      `UPDATE candidate_states SET personal_matters_rules = $3
       WHERE cycle_id = $1 AND person_id = $2 AND personal_matters_rules IS NULL`,
      [c.cycleId, c.personId, JSON.stringify(rules)],
    );
}

/**
 * Opening and answer reach the database in either order as far as these writes are concerned (an
 * answer may be replayed onto a row the opening has not written): both upsert and keep the most
 * advanced state, and the opening still dates the task and sets its deadlines.
 */
async function openTasks(db: DbClient, c: CandidateRef, o: NonNullable<CandidateAct['opened']>) {
  await db.query(
    `INSERT INTO review_tasks (cycle_id, person_id, department, jurisdiction_id, position_id, candidate_name, status, opened_at, chase_at, deadline)
     SELECT $1, $2, d, $3, $4, $5, 'open', $6, $7, $8 FROM unnest($9::text[]) AS d
     ON CONFLICT (cycle_id, person_id, department) DO UPDATE SET
       opened_at = LEAST(review_tasks.opened_at, EXCLUDED.opened_at),
       chase_at = COALESCE(review_tasks.chase_at, EXCLUDED.chase_at),
       deadline = COALESCE(review_tasks.deadline, EXCLUDED.deadline)`,
    [
      c.cycleId,
      c.personId,
      c.jurisdictionId,
      c.positionId,
      c.name,
      new Date(o.openedAt),
      o.chaseAt === null ? null : new Date(o.chaseAt),
      o.deadline === null ? null : new Date(o.deadline),
      o.departments,
    ],
  );
}

async function answerTask(db: DbClient, c: CandidateRef, v: NonNullable<CandidateAct['verdict']>) {
  // Before the opening has written the task, the answer writes it (dated by the answer until the
  // opening arrives with the earlier time and the deadlines); the first verdict stays.
  await db.query(
    `INSERT INTO review_tasks (cycle_id, person_id, department, jurisdiction_id, position_id, candidate_name, status, opened_at,
                               verdict, reason, answered_by, answered_at)
     VALUES ($1, $2, $3, $8, $9, $10, 'answered', $7, $4, $5, $6, $7)
     ON CONFLICT (cycle_id, person_id, department) DO UPDATE SET status = 'answered', verdict = EXCLUDED.verdict,
       reason = EXCLUDED.reason, answered_by = EXCLUDED.answered_by, answered_at = EXCLUDED.answered_at
     WHERE review_tasks.verdict IS NULL`,
    [
      c.cycleId,
      c.personId,
      v.department,
      v.verdict,
      v.reason,
      v.by,
      new Date(v.at),
      c.jurisdictionId,
      c.positionId,
      c.name,
    ],
  );
}

/** Chases (催办) or escalates the departments that have not answered, and tells whoever must act. */
async function markLate(db: DbClient, c: CandidateRef, late: NonNullable<CandidateAct['late']>[number]) {
  const column = late.kind === 'chased' ? 'chased_at' : 'escalated_at';
  await db.query(
    `UPDATE review_tasks SET status = $4, ${column} = COALESCE(${column}, $5)
     WHERE cycle_id = $1 AND person_id = $2 AND department = ANY($3) AND verdict IS NULL AND status <> 'closed'`,
    [c.cycleId, c.personId, late.departments, late.kind, new Date(late.at)],
  );
  const subject = late.kind === 'chased' ? '联审催办' : '联审逾期，提请上级督办';
  await db.query(
    `INSERT INTO notifications (idem_key, recipient, jurisdiction_id, subject, body, created_at)
     SELECT $1 || ':' || d, CASE WHEN $2 = 'chased' THEN 'reviewer:' || d ELSE 'supervising-level' END, $3, $4,
            $5 || ' — ' || d, $6
     FROM unnest($7::text[]) AS d ON CONFLICT (idem_key) DO NOTHING`,
    [
      late.key,
      late.kind,
      c.jurisdictionId,
      subject,
      `cycle ${c.cycleId}, candidate ${c.personId}`,
      new Date(late.at),
      late.departments,
    ],
  );
}

/**
 * The check's record: the sealed details the API stored under the reference are copied into it, only
 * if they belong to this candidate. The workflow never holds the details themselves.
 */
async function recordPersonalMatters(db: DbClient, c: CandidateRef, p: NonNullable<CandidateAct['personalMatters']>) {
  const { rows } = await db.query(
    `SELECT sealed FROM sealed_details WHERE id = $1 AND kind = 'personalMatters' AND subject = $2`,
    [p.sealedRef, candidateSubject(c.cycleId, c.personId)],
  );
  if (!rows[0])
    throw ApplicationFailure.nonRetryable(
      `no sealed personal-matters details ${p.sealedRef} for candidate ${c.personId}`,
      ErrorType.SealedDetailsMissing,
    );
  await db.query(
    `INSERT INTO personal_matters_checks (cycle_id, person_id, jurisdiction_id, outcome, consequence, checked_by, checked_at, details_sealed)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (cycle_id, person_id) DO NOTHING`,
    [
      c.cycleId,
      c.personId,
      c.jurisdictionId,
      p.result.outcome,
      CONSEQUENCE[p.result.outcome],
      p.by,
      new Date(p.at),
      rows[0].sealed,
    ],
  );
}
