/** Reports as the API reads them: one report's row, its timeline, and the ledger of a scope. */
import type { Pool } from '../../activities/db.js';
import { DISCIPLINARY } from '../../domain/reports.js';
import type { ReportEvent, ReportLedger, ReportRow } from '../schemas/reports.js';
import { reportWorkflowId } from '../../domain/ids.js';
import type { ReportState } from '../../workflows/contracts/report.js';
import { readProjection, type Projection } from './cycles.js';
import type { Row } from './row.js';

export type StoredReport = Row<ReportRow, 'received_at' | 'deadline' | 'overdue_at' | 'escalated_at' | 'closed_at'>;

export function createReportQueries(pool: Pool) {
  return {
    /** Reports in a scope for the list (never a sealed column): open ones first, by deadline. */
    async list(scope: string, status: 'open' | 'all', limit: number) {
      const { rows } = await pool.query(
        `SELECT r.id, r.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", r.channel, r.category,
                r.target_type AS "targetType", r.target_cycle_id AS "targetCycleId", r.target_person_id AS "targetPersonId",
                r.status, r.triage, r.unit, r.received_at AS "receivedAt", r.deadline,
                coalesce(r.status <> 'closed' AND r.deadline < now(), false) AS overdue, r.escalated_at AS "escalatedAt",
                r.finding, r.consequence, r.closed_at AS "closedAt", r.closed_on_time AS "closedOnTime"
         FROM reports r JOIN jurisdictions j ON j.id = r.jurisdiction_id
         WHERE $1 = ANY(j.ancestors) AND ($2 = 'all' OR r.status <> 'closed')
         ORDER BY (r.status = 'closed'), r.deadline NULLS LAST, r.received_at DESC, r.id LIMIT $3`,
        [scope, status, limit],
      );
      return rows.map((r) => ({
        ...r,
        receivedAt: new Date(r.receivedAt).toISOString(),
        deadline: r.deadline ? new Date(r.deadline).toISOString() : null,
        escalatedAt: r.escalatedAt ? new Date(r.escalatedAt).toISOString() : null,
        closedAt: r.closedAt ? new Date(r.closedAt).toISOString() : null,
      }));
    },

    /** The whole row, sealed columns included (the route decides what to open). */
    async byId(reportId: string): Promise<StoredReport | undefined> {
      const { rows } = await pool.query<StoredReport>('SELECT * FROM reports WHERE id = $1', [reportId]);
      return rows[0];
    },

    /** The report workflow's live state as it last sent it; undefined when it never did (older reports). */
    live(reportId: string): Promise<Projection<ReportState> | undefined> {
      return readProjection<ReportState>(pool, reportWorkflowId(reportId), []);
    },

    async timeline(reportId: string): Promise<Row<ReportEvent, 'at'>[]> {
      const { rows } = await pool.query<Row<ReportEvent, 'at'>>(
        `SELECT id::text, at, actor, role, action, detail FROM audit_events WHERE subject_type = 'report' AND subject_id = $1 ORDER BY audit_events.at, audit_events.id`,
        [reportId],
      );
      return rows;
    },

    /** Over reports received in [from, to) in the scope's subtree. */
    async ledger(
      scope: string,
      from: string | null,
      to: string | null,
    ): Promise<Omit<ReportLedger, 'scope' | 'from' | 'to'>> {
      const { rows } = await pool.query<Omit<ReportLedger, 'scope' | 'from' | 'to'>>(
        `WITH r AS (
         SELECT r.* FROM reports r JOIN jurisdictions j ON j.id = r.jurisdiction_id
         WHERE $1 = ANY(j.ancestors) AND r.received_at >= COALESCE($2::timestamptz, '-infinity') AND r.received_at < COALESCE($3::timestamptz, 'infinity'))
       SELECT count(*)::int AS received,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE closed_on_time)::int AS "closedOnTime",
              count(*) FILTER (WHERE status <> 'closed')::int AS open,
              count(*) FILTER (WHERE status <> 'closed' AND deadline < now())::int AS "overdueNow",
              count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE consequence = ANY($4))::int AS disciplinary,
              coalesce(sum(duplicates), 0)::int AS "linkedDuplicates",
              (SELECT coalesce(jsonb_object_agg(finding, n), '{}') FROM (SELECT finding, count(*)::int n FROM r WHERE finding IS NOT NULL GROUP BY finding) x) AS "byFinding",
              (SELECT coalesce(jsonb_object_agg(channel, n), '{}') FROM (SELECT channel, count(*)::int n FROM r GROUP BY channel) x) AS "byChannel",
              (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (SELECT category, count(*)::int n FROM r GROUP BY category) x) AS "byCategory",
              (SELECT coalesce(jsonb_object_agg(triage, n), '{}') FROM (SELECT triage, count(*)::int n FROM r WHERE triage IS NOT NULL GROUP BY triage) x) AS "byTriage",
              (SELECT coalesce(jsonb_object_agg(consequence, n), '{}') FROM (SELECT consequence, count(*)::int n FROM r WHERE consequence IS NOT NULL GROUP BY consequence) x) AS "byConsequence"
       FROM r`,
        [scope, from, to, DISCIPLINARY],
      );
      return rows[0]!;
    },
  };
}
