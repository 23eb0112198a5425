/**
 * The progress ledger (一天一呈报、每天一更新): per jurisdiction and rolled up the tree, how many
 * candidates have their integrity opinion back, reports closed, personal-matters checks done, files
 * reviewed, and how many cycles stand at each stage — as counts and percentages. An aborted cycle
 * counts under `aborted` from the moment it was aborted (its last stage entered is not where it stands). Every figure is
 * computed from timestamps in the record, so any past day gives the same answer it gave that day.
 */
import type { Pool } from './db.js';

/** One joint-review department's tasks: every configured department is counted alike. */
export interface DepartmentFigures {
  opened: number;
  answered: number;
  chased: number;
  escalated: number;
  percentAnswered: number | null;
}

export interface LedgerFigures {
  candidates: number;
  /** The discipline commission's opinions (廉政意见), of the candidates it reviews. */
  integrityOpinions: number;
  /** Joint-review tasks by department, whichever departments the jurisdictions' policies configure. */
  reviews: Record<string, DepartmentFigures>;
  /** Lists drawn below their 差额 ratio with a recorded reason (per cycle, stage and position). */
  belowRatio: number;
  personalMattersChecked: number;
  filesReviewed: number;
  reportsReceived: number;
  reportsClosed: number;
  cycles: number;
  byStage: Record<string, number>;
  percent: {
    integrityOpinions: number | null;
    personalMattersChecked: number | null;
    filesReviewed: number | null;
    reportsClosed: number | null;
  };
}

/** The end of a Beijing day, as an instant. */
export const endOfBeijingDay = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000);

const FIGURES_SQL = `
WITH t AS (SELECT $1::timestamptz AS t),
cand AS (SELECT jurisdiction_id AS j, count(DISTINCT cycle_id || '/' || person_id)::int AS n FROM review_tasks, t WHERE opened_at < t.t GROUP BY 1),
integ AS (SELECT jurisdiction_id AS j, count(*) FILTER (WHERE answered_at < t.t)::int AS n, count(*)::int AS due
          FROM review_tasks, t WHERE department = 'discipline' AND opened_at < t.t GROUP BY 1),
rev AS (SELECT jurisdiction_id AS j, department, count(*)::int AS opened, count(*) FILTER (WHERE answered_at < t.t)::int AS answered,
               count(*) FILTER (WHERE chased_at < t.t)::int AS chased, count(*) FILTER (WHERE escalated_at < t.t)::int AS escalated
        FROM review_tasks, t WHERE opened_at < t.t GROUP BY 1, 2),
below AS (SELECT e.jurisdiction_id AS j,
                 count(DISTINCT e.cycle_id || '/' || e.action || '/' || (x->>'positionId'))::int AS n
          FROM audit_events e CROSS JOIN t
          CROSS JOIN LATERAL jsonb_array_elements(CASE e.action WHEN 'recommendation.round' THEN e.detail->'input'->'tallies'
                                                                ELSE e.detail->'input'->'shortlist' END) x
          WHERE e.action IN ('recommendation.round', 'decision.standing') AND e.at < t.t AND x ? 'belowRatioReason' GROUP BY 1),
pm AS (SELECT jurisdiction_id AS j, count(*)::int AS n FROM personal_matters_checks, t WHERE checked_at < t.t GROUP BY 1),
files AS (SELECT jurisdiction_id AS j, count(DISTINCT cycle_id || '/' || subject_id)::int AS n FROM audit_events, t
          WHERE action = 'inspection.recorded' AND at < t.t AND detail->'checks'->>'personnelFile' IN ('clear', 'concern') GROUP BY 1),
rep AS (SELECT jurisdiction_id AS j, count(*)::int AS received, count(*) FILTER (WHERE closed_at < t.t)::int AS closed FROM reports, t WHERE received_at < t.t GROUP BY 1),
cyc AS (SELECT c.jurisdiction_id AS j,
               CASE WHEN c.status = 'aborted' AND c.closed_at < t.t THEN 'aborted' ELSE coalesce(s.stage, 'launch') END AS stage,
               count(*)::int AS n
        FROM cycles c CROSS JOIN t
        LEFT JOIN LATERAL (SELECT e.detail->>'to' AS stage FROM audit_events e
                           WHERE e.cycle_id = c.id AND e.action = 'stage.entered' AND e.at < t.t ORDER BY e.at DESC, e.id DESC LIMIT 1) s ON true
        WHERE c.started_at < t.t GROUP BY 1, 2),
own AS (
  SELECT j.id AS j, coalesce(cand.n, 0) AS candidates, coalesce(integ.n, 0) AS integrity, coalesce(integ.due, 0) AS integrity_due,
         coalesce(pm.n, 0) AS pm, coalesce(files.n, 0) AS files,
         coalesce(rep.received, 0) AS received, coalesce(rep.closed, 0) AS closed, coalesce(below.n, 0) AS below,
         coalesce((SELECT jsonb_object_agg(stage, n) FROM cyc WHERE cyc.j = j.id), '{}') AS stages,
         coalesce((SELECT jsonb_object_agg(department, jsonb_build_object('opened', opened, 'answered', answered, 'chased', chased, 'escalated', escalated))
                   FROM rev WHERE rev.j = j.id), '{}') AS reviews
  FROM jurisdictions j LEFT JOIN cand ON cand.j = j.id LEFT JOIN integ ON integ.j = j.id LEFT JOIN pm ON pm.j = j.id
  LEFT JOIN files ON files.j = j.id LEFT JOIN rep ON rep.j = j.id LEFT JOIN below ON below.j = j.id)
SELECT a.id, a.ancestors,
       (SELECT to_jsonb(o) FROM own o WHERE o.j = a.id) AS own,
       jsonb_build_object(
         'candidates', sum(o.candidates), 'integrity', sum(o.integrity), 'pm', sum(o.pm), 'files', sum(o.files),
         'received', sum(o.received), 'closed', sum(o.closed), 'integrity_due', sum(o.integrity_due), 'below', sum(o.below),
         'reviews', (SELECT coalesce(jsonb_object_agg(department, jsonb_build_object('opened', opened, 'answered', answered, 'chased', chased, 'escalated', escalated)), '{}') FROM (
             SELECT rev.department, sum(rev.opened)::int AS opened, sum(rev.answered)::int AS answered, sum(rev.chased)::int AS chased,
                    sum(rev.escalated)::int AS escalated
             FROM rev JOIN jurisdictions d ON d.id = rev.j WHERE a.id = ANY(d.ancestors) GROUP BY 1) y),
         'stages', (SELECT coalesce(jsonb_object_agg(stage, n), '{}') FROM (
             SELECT cyc.stage, sum(cyc.n)::int AS n FROM cyc JOIN jurisdictions d ON d.id = cyc.j WHERE a.id = ANY(d.ancestors) GROUP BY 1) x)) AS subtree
FROM jurisdictions a JOIN jurisdictions d ON a.id = ANY(d.ancestors) JOIN own o ON o.j = d.id
WHERE ($2::text IS NULL OR a.id = $2)
GROUP BY a.id, a.ancestors`;

const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

function figures(raw: Record<string, unknown>): LedgerFigures {
  const n = (k: string) => Number(raw[k] ?? 0);
  const byStage = (raw.stages ?? {}) as Record<string, number>;
  const reviews = Object.fromEntries(
    Object.entries((raw.reviews ?? {}) as Record<string, Omit<DepartmentFigures, 'percentAnswered'>>)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([d, f]) => [d, { ...f, percentAnswered: pct(f.answered, f.opened) }]),
  );
  return {
    candidates: n('candidates'),
    integrityOpinions: n('integrity'),
    reviews,
    belowRatio: n('below'),
    personalMattersChecked: n('pm'),
    filesReviewed: n('files'),
    reportsReceived: n('received'),
    reportsClosed: n('closed'),
    cycles: Object.values(byStage).reduce((a, b) => a + b, 0),
    byStage,
    percent: {
      // Of the candidates the discipline commission reviews: a place whose policy leaves it out has no such figure.
      integrityOpinions: pct(n('integrity'), n('integrity_due')),
      personalMattersChecked: pct(n('pm'), n('candidates')),
      filesReviewed: pct(n('files'), n('candidates')),
      reportsClosed: pct(n('closed'), n('received')),
    },
  };
}

export function createLedgerActivities({ pool }: { pool: Pool }) {
  return {
    /** Figures as of the end of `day` (Beijing), for one jurisdiction or all. */
    async computeLedger(
      day: string,
      jurisdictionId: string | null,
    ): Promise<{ jurisdictionId: string; own: LedgerFigures; subtree: LedgerFigures }[]> {
      const { rows } = await pool.query(FIGURES_SQL, [endOfBeijingDay(day), jurisdictionId]);
      return rows.map((r) => ({ jurisdictionId: r.id, own: figures(r.own ?? {}), subtree: figures(r.subtree) }));
    },

    /** Writes the day's snapshot for every jurisdiction; running it again for the same day replaces it. */
    async writeLedgerSnapshot(day: string): Promise<number> {
      const { rows } = await pool.query(FIGURES_SQL, [endOfBeijingDay(day), null]);
      const snapshot = rows.map((r) => ({ j: r.id, own: figures(r.own ?? {}), subtree: figures(r.subtree) }));
      await pool.query(
        `INSERT INTO ledger_snapshots (day, jurisdiction_id, own, subtree, computed_at)
         SELECT $1::date, s.j, s.own, s.subtree, now() FROM jsonb_to_recordset($2::jsonb) AS s(j text, own jsonb, subtree jsonb)
         ON CONFLICT (day, jurisdiction_id) DO UPDATE SET own = EXCLUDED.own, subtree = EXCLUDED.subtree, computed_at = EXCLUDED.computed_at`,
        [day, JSON.stringify(snapshot)],
      );
      return snapshot.length;
    },
  };
}
