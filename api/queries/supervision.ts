/** Supervision and the risk register as the API reads them. */
import type { Pool } from '../../activities/db.js';
import type { MonitoringPoint, RiskRegister, RiskRow } from '../schemas/supervision.js';
import { supervisionWorkflowId } from '../../domain/ids.js';
import type { SupervisionState } from '../../workflows/contracts/supervision.js';
import { readProjection, type Projection } from './cycles.js';
import type { Row } from './row.js';

export type RiskListRow = Row<RiskRow, 'deadline' | 'overdueAt' | 'escalatedAt' | 'createdAt'>;

export function createSupervisionQueries(pool: Pool) {
  return {
    /** A cycle's supervision as its workflow last sent it (workflows/projection.ts); none before its first task. */
    live(cycleId: string): Promise<Projection<SupervisionState> | undefined> {
      return readProjection<SupervisionState>(pool, supervisionWorkflowId(cycleId), []);
    },

    /** Each point's scores as it last filed them, per stage; by point, then as filed. */
    async monitoringPoints(
      cycleId: string,
      point: string | null,
      stage: string | null,
    ): Promise<Row<MonitoringPoint, 'submittedAt'>[]> {
      const { rows } = await pool.query<Row<MonitoringPoint, 'submittedAt'>>(
        `SELECT point, stage, scores, submitted_by AS "submittedBy", submitted_at AS "submittedAt" FROM monitoring_scores
         WHERE cycle_id = $1 AND ($2::text IS NULL OR point = $2) AND ($3::text IS NULL OR stage = $3)
         ORDER BY point, submitted_at`,
        [cycleId, point, stage],
      );
      return rows;
    },

    /** What deciding who may resolve a risk needs. */
    async risk(
      riskId: string,
    ): Promise<{ jurisdictionId: string; level: RiskRow['level']; status: RiskRow['status'] } | undefined> {
      const { rows } = await pool.query<{ jurisdictionId: string; level: RiskRow['level']; status: RiskRow['status'] }>(
        'SELECT jurisdiction_id AS "jurisdictionId", level, status FROM risks WHERE id = $1',
        [riskId],
      );
      return rows[0];
    },

    async risks(
      scope: string,
      f: { level?: string | undefined; status?: string | undefined; limit: number },
    ): Promise<RiskListRow[]> {
      const { rows } = await pool.query<RiskListRow>(
        `SELECT r.id, r.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", r.cycle_id AS "cycleId", r.stage, r.category, r.level,
              r.description, r.measures, r.owner, r.status, r.deadline, r.overdue_at AS "overdueAt", r.escalated_at AS "escalatedAt",
              r.addressed_at AS "addressedAt", r.resolution, r.created_at AS "createdAt"
       FROM risks r JOIN jurisdictions j ON j.id = r.jurisdiction_id
       WHERE $1 = ANY(j.ancestors) AND ($2::text IS NULL OR r.level = $2) AND ($3::text IS NULL OR r.status = $3)
       ORDER BY r.created_at DESC, r.id LIMIT $4`,
        [scope, f.level ?? null, f.status ?? null, f.limit],
      );
      return rows;
    },

    /** Counts rolled up the scope's subtree. */
    async riskRegister(scope: string): Promise<Omit<RiskRegister, 'scope' | 'levels'>> {
      const { rows } = await pool.query<Omit<RiskRegister, 'scope' | 'levels'>>(
        `WITH r AS (SELECT r.*, j.level AS jurisdiction_level FROM risks r JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE $1 = ANY(j.ancestors))
       SELECT count(*)::int AS risks,
              coalesce(sum(jsonb_array_length(measures)), 0)::int AS measures,
              (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT level || '/' || status AS k, count(*)::int n FROM r GROUP BY 1) x) AS "byLevelStatus",
              (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (SELECT category, count(*)::int n FROM r GROUP BY 1) x) AS "byCategory",
              (SELECT coalesce(jsonb_object_agg(jurisdiction_level, n), '{}') FROM (SELECT jurisdiction_level, count(*)::int n FROM r GROUP BY 1) x) AS "byJurisdictionLevel",
              count(*) FILTER (WHERE status = 'open' AND escalated_at IS NOT NULL)::int AS escalated
       FROM r`,
        [scope],
      );
      return rows[0]!;
    },
  };
}
