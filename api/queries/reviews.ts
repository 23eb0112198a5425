/** Joint review and personal matters as the API reads them. */
import type { Pool } from '../../activities/db.js';
import type { PersonalMattersRecord, ReviewTask } from '../schemas/candidates.js';
import type { Row } from './row.js';
import { DEPARTMENTS } from '../../domain/policy.js';

export type ReviewTaskRow = Row<
  ReviewTask,
  'openedAt' | 'chaseAt' | 'deadline' | 'chasedAt' | 'escalatedAt' | 'answeredAt'
>;
/** The personal-matters check as stored: the compared items and discrepancies still sealed. */
export type PersonalMattersCheckRow = Row<
  Pick<PersonalMattersRecord, 'outcome' | 'consequence' | 'checkedBy' | 'checkedAt'>,
  'checkedAt'
> & { details_sealed: string };

/** Where a page of an inbox ended: its last task's deadline (none: after every dated task) and key. */
export type InboxCursor = { deadline: string | null; cycleId: string; personId: string; department: string };

/** A cursor as the API hands it out: readable, and checked by a pattern on the way back in. */
export const inboxCursor = {
  format: (t: { deadline: string | Date | null; cycleId: string; personId: string; department: string }): string =>
    [t.deadline === null ? '-' : new Date(t.deadline).toISOString(), t.cycleId, t.personId, t.department].join('~'),
  parse(s: string): InboxCursor {
    const [deadline, cycleId, personId, department] = s.split('~') as [string, string, string, string];
    return { deadline: deadline === '-' ? null : deadline, cycleId, personId, department };
  },
  pattern: new RegExp(
    `^(-|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)~[A-Za-z0-9_-]{1,40}:\\d{4}~[A-Za-z0-9_-]{1,64}~(${DEPARTMENTS.join('|')})$`,
  ),
  /** Its instant is one a page could have ended on: a real date (no 30 February), after 1970. */
  instantReal(s: string): boolean {
    if (s.startsWith('-~')) return true;
    const at = s.slice(0, 24);
    const t = Date.parse(at);
    return t >= 0 && new Date(t).toISOString() === at;
  },
};

export function createReviewQueries(pool: Pool) {
  return {
    /**
     * The open (or all) tasks of these departments in the scope's subtree, earliest deadline first (none last),
     * optionally of one cycle, from after a cursor: the position of the previous page's last task.
     */
    async inbox(
      departments: string[],
      scope: string,
      f: { status: 'open' | 'all'; limit: number; cycleId?: string; after?: InboxCursor },
    ): Promise<ReviewTaskRow[]> {
      // 'infinity' stands for "no deadline" so that one row comparison pages through both kinds in order.
      const { rows } = await pool.query<ReviewTaskRow>(
        `SELECT t.cycle_id AS "cycleId", t.person_id AS "personId", t.candidate_name AS "candidateName", t.position_id AS "positionId",
              t.department, t.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", t.status, t.opened_at AS "openedAt",
              t.chase_at AS "chaseAt", t.deadline, t.chased_at AS "chasedAt", t.escalated_at AS "escalatedAt", t.verdict, t.answered_at AS "answeredAt",
              (t.verdict IS NULL AND t.status <> 'closed' AND t.deadline < now()) AS overdue
       FROM review_tasks t JOIN jurisdictions j ON j.id = t.jurisdiction_id
       WHERE t.department = ANY($1) AND $2 = ANY(j.ancestors) AND ($3 = 'all' OR t.status IN ('open', 'chased', 'escalated'))
         AND ($5::text IS NULL OR t.cycle_id = $5)
         AND ($6::timestamptz IS NULL OR (COALESCE(t.deadline, 'infinity'), t.cycle_id, t.person_id, t.department) > ($6, $7, $8, $9))
       ORDER BY COALESCE(t.deadline, 'infinity'), t.cycle_id, t.person_id, t.department LIMIT $4`,
        [
          departments,
          scope,
          f.status,
          f.limit,
          f.cycleId ?? null,
          f.after ? (f.after.deadline ?? 'infinity') : null,
          f.after?.cycleId ?? null,
          f.after?.personId ?? null,
          f.after?.department ?? null,
        ],
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
