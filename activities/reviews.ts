/**
 * A candidate's acts on the record: the departments' inboxes (review tasks), the personal-matters
 * record, the notifications of late departments, the audit trail and the candidate's read model
 * (candidate_states), all of one act in one transaction. The candidate's workflow calls it as a local
 * activity, once per act: an act costs its workflow one history event instead of an activity's three
 * and a workflow task's three more.
 *
 * Every write is idempotent (keyed by cycle, person and department; audit events by their key; the
 * state by its version), so a retried act is one act. Writes keep the most advanced state: an answer is
 * never overwritten by an opening, and a state never by an older one.
 *
 * After the commit, a candidate the cycle started through an activity tells the cycle what it must
 * show (late departments, the outcome) by signal from here, which costs the candidate's history
 * nothing. The cycle takes a repeated outcome once.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DossierOutcome } from '../domain/cycle.js';
import { ErrorType } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type { PersonalMattersResult, PersonalMattersRules, Verdict } from '../domain/inspection.js';
import type { Department } from '../domain/policy.js';
import type { CandidateState } from '../workflows/contracts/candidate.js';
import { candidateOutcomeSignal, reviewLateSignal, type ReviewLate } from '../workflows/contracts/cycle.js';
import { appendAudit } from './audit.js';
import type { Client as DbClient, Pool } from './db.js';
import { withTransaction } from './db.js';
import { candidateSubject } from './sealed-details.js';

export interface CandidateRef {
  cycleId: string;
  personId: string;
  jurisdictionId: string;
  positionId: string;
  name: string;
}

/** One act of a candidate's inspection: what it changes besides the audit trail and the state. */
export interface CandidateAct {
  ref: CandidateRef;
  /** The act's audit events, in order (an act that also stops the candidate has two). */
  events: AuditEvent[];
  /** The candidate's state after the act. */
  state: CandidateState;
  /** With the first act: the rules the API classifies this candidate's personal matters by. */
  rules?: PersonalMattersRules;
  opened?: { departments: Department[]; openedAt: number; chaseAt: number | null; deadline: number | null };
  verdict?: { department: Department; verdict: Verdict; reason: string; by: string; at: number };
  /** The API sealed the details under `sealedRef` first; only the reference and the result come here. */
  personalMatters?: { sealedRef: string; result: PersonalMattersResult; by: string; at: number };
  /** Chased (催办) and/or escalated at one wake-up, in that order; the event key dates the notifications. */
  late?: { departments: Department[]; kind: 'chased' | 'escalated'; at: number; key: string }[];
  /** A stopped candidate's unanswered tasks leave the inboxes. */
  closeTasks?: boolean;
  /**
   * For the workflow that shows this candidate: the cycle's (by its id, whichever run is current), or
   * the parent of a candidate started as a child, which hears only of late departments.
   */
  tell?: { workflowId: string; late?: ReviewLate[]; outcome?: DossierOutcome };
}

const CONSEQUENCE = {
  consistent: 'none',
  omission: '批评教育 (criticism and education); candidacy continues',
  concealment: '诫勉 (admonishment); candidacy stopped',
} as const;

export function createReviewActivities({ pool, client }: { pool: Pool; client?: Client }) {
  return {
    async recordCandidate(act: CandidateAct): Promise<void> {
      await withTransaction(pool, async (db) => {
        const { ref: c } = act;
        if (act.opened) await openTasks(db, c, act.opened);
        if (act.verdict) await answerTask(db, c, act.verdict);
        if (act.personalMatters) await recordPersonalMatters(db, c, act.personalMatters);
        for (const late of act.late ?? []) await markLate(db, c, late);
        if (act.closeTasks)
          await db.query(
            `UPDATE review_tasks SET status = 'closed' WHERE cycle_id = $1 AND person_id = $2 AND verdict IS NULL`,
            [c.cycleId, c.personId],
          );
        await writeState(db, act);
        // Last: the audit chain's lock is held from here to the commit, serializing every writer.
        for (const event of act.events) await appendAudit(db, event);
      });
      if (act.tell && client) await tell(client, act.tell);
    },
  };
}

/** A cycle that has ended (aborted meanwhile) has nobody left to tell. */
async function tell(client: Client, to: NonNullable<CandidateAct['tell']>) {
  const cycle = client.workflow.getHandle(to.workflowId);
  try {
    for (const late of to.late ?? []) await cycle.signal(reviewLateSignal, late);
    if (to.outcome) await cycle.signal(candidateOutcomeSignal, to.outcome);
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
}

async function writeState(db: DbClient, { ref: c, state, events, rules }: CandidateAct) {
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
