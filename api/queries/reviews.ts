/** Joint review and personal matters as the API reads them. */
import type { Pool } from '../../activities/db.js';
import type { PersonalMattersRecord, ReviewTask } from '../schemas/candidates.js';
import type { Row } from './row.js';

export type ReviewTaskRow = Row<
  ReviewTask,
  'openedAt' | 'chaseAt' | 'deadline' | 'chasedAt' | 'escalatedAt' | 'answeredAt'
>;
/** The personal-matters check as stored: the compared items and discrepancies still sealed. */
export type PersonalMattersCheckRow = Row<
  Pick<PersonalMattersRecord, 'outcome' | 'consequence' | 'checkedBy' | 'checkedAt'>,
  'checkedAt'
> & { details_sealed: string };

export function createReviewQueries(pool: Pool) {
  return {
    /** The open (or all) tasks of these departments in the scope's subtree, earliest deadline first. */
    async inbox(departments: string[], scope: string, status: 'open' | 'all', limit: number): Promise<ReviewTaskRow[]> {
      const { rows } = await pool.query<ReviewTaskRow>(
        `SELECT t.cycle_id AS "cycleId", t.person_id AS "personId", t.candidate_name AS "candidateName", t.position_id AS "positionId",
              t.department, t.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", t.status, t.opened_at AS "openedAt",
              t.chase_at AS "chaseAt", t.deadline, t.chased_at AS "chasedAt", t.escalated_at AS "escalatedAt", t.verdict, t.answered_at AS "answeredAt",
              (t.verdict IS NULL AND t.status <> 'closed' AND t.deadline < now()) AS overdue
       FROM review_tasks t JOIN jurisdictions j ON j.id = t.jurisdiction_id
       WHERE t.department = ANY($1) AND $2 = ANY(j.ancestors) AND ($3 = 'all' OR t.status IN ('open', 'chased', 'escalated'))
       ORDER BY t.deadline NULLS LAST, t.cycle_id, t.person_id LIMIT $4`,
        [departments, scope, status, limit],
      );
      return rows;
    },

    async personalMattersCheck(cycleId: string, personId: string): Promise<PersonalMattersCheckRow | undefined> {
      const { rows } = await pool.query<PersonalMattersCheckRow>(
        `SELECT outcome, consequence, details_sealed, checked_by AS "checkedBy", checked_at AS "checkedAt" FROM personal_matters_checks WHERE cycle_id = $1 AND person_id = $2`,
        [cycleId, personId],
      );
      return rows[0];
    },
  };
}
