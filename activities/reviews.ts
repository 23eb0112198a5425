/**
 * The departments' inboxes and the personal-matters record. Every write is idempotent (keyed by
 * cycle, person and department) and puts its act on the audit trail in the same transaction.
 *
 * A task's opening and its verdict are separate activities of the candidate's workflow and reach the
 * database in either order (a department may answer the instant the candidate exists). Both writes
 * therefore upsert and keep the most advanced state: an answer is never overwritten by an opening,
 * and the opening still dates the task and sets its deadlines.
 */
import type { Department } from '../domain/policy.js';
import type { PersonalMattersInput, PersonalMattersResult, Verdict } from '../domain/inspection.js';
import type { AuditEvent } from '../domain/events.js';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { candidateSubject } from './sealed-details.js';
import { withTransaction, type Pool } from './db.js';
import type { Sealer } from './sealed.js';

export interface CandidateRef {
  cycleId: string;
  personId: string;
  jurisdictionId: string;
  positionId: string;
  name: string;
}

const CONSEQUENCE = {
  consistent: 'none',
  omission: '批评教育 (criticism and education); candidacy continues',
  concealment: '诫勉 (admonishment); candidacy stopped',
} as const;

export function createReviewActivities({ pool, sealer }: { pool: Pool; sealer: Sealer }) {
  return {
    async openReviewTasks(
      c: CandidateRef,
      departments: Department[],
      at: { openedAt: number; chaseAt: number | null; deadline: number | null },
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
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
            new Date(at.openedAt),
            at.chaseAt === null ? null : new Date(at.chaseAt),
            at.deadline === null ? null : new Date(at.deadline),
            departments,
          ],
        );
        await appendAudit(client, event);
      });
    },

    /** Chases (催办) or escalates the departments that have not answered, and tells whoever must act. */
    async markLateReviews(
      c: CandidateRef,
      departments: Department[],
      kind: 'chased' | 'escalated',
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const column = kind === 'chased' ? 'chased_at' : 'escalated_at';
        await client.query(
          `UPDATE review_tasks SET status = $4, ${column} = COALESCE(${column}, $5)
           WHERE cycle_id = $1 AND person_id = $2 AND department = ANY($3) AND verdict IS NULL AND status <> 'closed'`,
          [c.cycleId, c.personId, departments, kind, new Date(at)],
        );
        const subject = kind === 'chased' ? '联审催办' : '联审逾期，提请上级督办';
        await client.query(
          `INSERT INTO notifications (idem_key, recipient, jurisdiction_id, subject, body, created_at)
           SELECT $1 || ':' || d, CASE WHEN $2 = 'chased' THEN 'reviewer:' || d ELSE 'supervising-level' END, $3, $4,
                  $5 || ' — ' || d, $6
           FROM unnest($7::text[]) AS d ON CONFLICT (idem_key) DO NOTHING`,
          [
            event.key,
            kind,
            c.jurisdictionId,
            subject,
            `cycle ${c.cycleId}, candidate ${c.personId}`,
            new Date(at),
            departments,
          ],
        );
        await appendAudit(client, event);
      });
    },

    async recordVerdict(
      c: CandidateRef,
      v: { department: Department; verdict: Verdict; reason: string; by: string; at: number },
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        // Before the opening has written the task, the answer writes it (dated by the answer until the
        // opening arrives with the earlier time and the deadlines); the first verdict stays.
        await client.query(
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
        await appendAudit(client, event);
      });
    },

    /** A stopped candidate's unanswered tasks leave the inboxes. */
    async closeReviewTasks(c: CandidateRef, event: AuditEvent): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `UPDATE review_tasks SET status = 'closed' WHERE cycle_id = $1 AND person_id = $2 AND verdict IS NULL`,
          [c.cycleId, c.personId],
        );
        await appendAudit(client, event);
      });
    },

    /**
     * The check's record. `details` is the reference the API sealed them under (copied into the
     * record, only if it belongs to this candidate); the details themselves come only from updates
     * accepted before they were sealed first (histories of that time), and are sealed here as then.
     */
    async recordPersonalMatters(
      c: CandidateRef,
      details: PersonalMattersInput | { sealedRef: string },
      result: PersonalMattersResult,
      by: string,
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const values = [
          c.cycleId,
          c.personId,
          c.jurisdictionId,
          result.outcome,
          CONSEQUENCE[result.outcome],
          by,
          new Date(at),
        ];
        if ('sealedRef' in details) {
          const { rows } = await client.query(
            `SELECT sealed FROM sealed_details WHERE id = $1 AND kind = 'personalMatters' AND subject = $2`,
            [details.sealedRef, candidateSubject(c.cycleId, c.personId)],
          );
          if (!rows[0])
            throw ApplicationFailure.nonRetryable(
              `no sealed personal-matters details ${details.sealedRef} for candidate ${c.personId}`,
              ErrorType.SealedDetailsMissing,
            );
          await client.query(
            `INSERT INTO personal_matters_checks (cycle_id, person_id, jurisdiction_id, outcome, consequence, checked_by, checked_at, details_sealed)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (cycle_id, person_id) DO NOTHING`,
            [...values, rows[0].sealed],
          );
        } else {
          await client.query(
            `INSERT INTO personal_matters_checks (cycle_id, person_id, jurisdiction_id, outcome, consequence, checked_by, checked_at, details_sealed)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (cycle_id, person_id) DO NOTHING`,
            [...values, sealer.seal({ items: details.items, discrepancies: result.discrepancies })],
          );
        }
        await appendAudit(client, event);
      });
    },
  };
}
