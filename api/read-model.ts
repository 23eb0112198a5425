/** What the API reads from Postgres: lists, ledgers, timelines. Reads only; activities write. */
import type { Pool } from '../activities/db.js';
import type { Jurisdiction } from '../domain/schemas.js';

export interface CycleListFilters {
  scope: string;
  stage?: string;
  status?: string;
  level?: string;
  limit: number;
  after?: string;
}

export function createReadModel(pool: Pool) {
  return {
    async jurisdiction(id: string): Promise<(Jurisdiction & { ancestors: string[] }) | undefined> {
      const { rows } = await pool.query(
        'SELECT id, name, level, parent_id AS "parentId", ancestors FROM jurisdictions WHERE id = $1',
        [id],
      );
      return rows[0];
    },

    /** True when `id` is `scope` itself or lies below it. */
    async within(scope: string, id: string): Promise<boolean> {
      const { rows } = await pool.query('SELECT $1 = ANY(ancestors) AS inside FROM jurisdictions WHERE id = $2', [
        scope,
        id,
      ]);
      return rows[0]?.inside === true;
    },

    async subtree(root: string): Promise<Jurisdiction[]> {
      const { rows } = await pool.query(
        `SELECT id, name, level, parent_id AS "parentId" FROM jurisdictions WHERE $1 = ANY(ancestors)
         ORDER BY array_length(ancestors, 1), id`,
        [root],
      );
      return rows;
    },

    async listCycles(f: CycleListFilters) {
      const { rows } = await pool.query(
        `SELECT c.id, c.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", c.term, c.level, c.stage, c.status,
                c.waiting_for AS "waitingFor", c.deadline, c.started_at AS "startedAt", c.updated_at AS "updatedAt", c.closed_at AS "closedAt"
         FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
         WHERE $1 = ANY(j.ancestors)
           AND ($2::text IS NULL OR c.stage = $2) AND ($3::text IS NULL OR c.status = $3) AND ($4::text IS NULL OR c.level = $4)
           AND ($5::text IS NULL OR c.id > $5)
         ORDER BY c.id LIMIT $6`,
        [f.scope, f.stage ?? null, f.status ?? null, f.level ?? null, f.after ?? null, f.limit],
      );
      return rows;
    },

    async cycle(id: string) {
      const { rows } = await pool.query(
        `SELECT id, jurisdiction_id AS "jurisdictionId", term, level, stage, status, waiting_for AS "waitingFor", deadline, version,
                state, results, outcome, started_at AS "startedAt", updated_at AS "updatedAt", closed_at AS "closedAt"
         FROM cycles WHERE id = $1`,
        [id],
      );
      return rows[0];
    },

    async people(cycleId: string) {
      const { rows } = await pool.query(
        `SELECT person_id AS "personId", name, position_id AS "positionId", candidate_status AS "candidateStatus",
                nominee_status AS "nomineeStatus", detail FROM cycle_people WHERE cycle_id = $1 ORDER BY position_id, person_id`,
        [cycleId],
      );
      return rows;
    },

    async timeline(cycleId: string) {
      const { rows } = await pool.query(
        `SELECT id::text, at, actor, role, request_id AS "requestId", subject_type AS "subjectType", subject_id AS "subjectId",
                action, before, after, detail
         FROM audit_events WHERE cycle_id = $1 ORDER BY audit_events.at, audit_events.id`,
        [cycleId],
      );
      return rows;
    },
  };
}
export type ReadModel = ReturnType<typeof createReadModel>;
