/** Cycles and the jurisdiction tree as the API reads them from Postgres. */
import { prepared, type Pool } from '../../activities/db.js';
import type { CycleRow, CycleState, PositionResult } from '../../domain/cycle.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import type { Jurisdiction } from '../../domain/schemas.js';
import type { CycleEvent, CycleListItem, CycleRecord } from '../schemas/cycles.js';
import { CYCLE_STATE_ARRAYS, assembleState } from '../../domain/projection.js';
import type { Row } from './row.js';

/** A workflow's projection (activities/projection.ts): its state, or stale when a send was lost. */
/** A stale projection says for how long (ms) it has been marked so: a repair is under way or overdue. */
export type Projection<T> = { stale: true; staleMs: number } | { stale: false; state: T };

export async function readProjection<T>(
  pool: Pool,
  workflowId: string,
  arrays: readonly string[],
): Promise<Projection<T> | undefined> {
  const { rows } = await pool.query<ProjectionColumns>(PROJECTION([workflowId]));
  return projectionOf<T>(rows[0], arrays);
}

/** A projection's columns, for `p` a workflow_projections row (or NULLs: no projection). */
const PROJECTION_COLUMNS = `p.stale, (extract(epoch FROM clock_timestamp() - p.updated_at) * 1000)::float8 AS stale_ms,
  (SELECT coalesce(jsonb_agg(jsonb_build_array(s.part, s.value)), '[]') FROM workflow_state_parts s
    WHERE s.workflow_id = p.workflow_id) AS parts`;
type ProjectionColumns = { stale: boolean | null; stale_ms: number | null; parts: [string, unknown][] };
function projectionOf<T>(row: ProjectionColumns | undefined, arrays: readonly string[]): Projection<T> | undefined {
  if (!row || row.stale === null) return undefined;
  return row.stale
    ? { stale: true, staleMs: row.stale_ms ?? 0 }
    : { stale: false, state: assembleState<T>(row.parts, arrays) };
}

/**
 * Each candidate's late departments of cycle $1, as rows (personId, kind, at, departments), from the
 * departments' tasks on the record: chased (催办) and escalated departments grouped by the instant of
 * their wake-up — what a candidate once also told its cycle by signal.
 */
const LATE_REVIEWS = `SELECT person_id AS "personId", kind, at, array_agg(department ORDER BY department) AS departments
  FROM (SELECT person_id, department, 'chased' AS kind, chased_at AS at FROM review_tasks
          WHERE cycle_id = $1 AND chased_at IS NOT NULL
        UNION ALL
        SELECT person_id, department, 'escalated', escalated_at FROM review_tasks
          WHERE cycle_id = $1 AND escalated_at IS NOT NULL) late
  GROUP BY person_id, kind, at`;
// The statements every GET and input runs, prepared (activities/db.ts).
const PROJECTION = prepared(
  'projection',
  `SELECT ${PROJECTION_COLUMNS} FROM workflow_projections p WHERE p.workflow_id = $1`,
);
const JURISDICTION = prepared(
  'jurisdiction',
  'SELECT id, name, level, parent_id AS "parentId", ancestors FROM jurisdictions WHERE id = $1',
);
const WITHIN = prepared('within', 'SELECT $1 = ANY(ancestors) AS inside FROM jurisdictions WHERE id = $2');
const CYCLE_FOR_READER = prepared(
  'cycle-for-reader',
  `SELECT coalesce((SELECT $2 = ANY(ancestors) FROM jurisdictions WHERE id = $3), false) AS inside,
          ${PROJECTION_COLUMNS},
          (SELECT coalesce(jsonb_agg(jsonb_build_object('personId', l."personId", 'kind', l.kind,
                    'at', floor(extract(epoch FROM l.at) * 1000), 'departments', l.departments)
                    ORDER BY l."personId", l.at, l.kind), '[]')
             FROM (${LATE_REVIEWS}) l) AS late
   FROM (VALUES (1)) one (x) LEFT JOIN workflow_projections p ON p.workflow_id = $4`,
);
type LateReviews = Map<string, NonNullable<CycleState['candidates'][number]['lateReviews']>>;
/** `at` a Date as pg reads a timestamptz, or its milliseconds when it came inside JSON. */
type LateRow = { personId: string; kind: 'chased' | 'escalated'; at: Date | number; departments: string[] };
/** In order of person, then instant, then kind. */
function lateByPerson(rows: LateRow[]): LateReviews {
  const byPerson: LateReviews = new Map();
  for (const r of rows) {
    const list = byPerson.get(r.personId) ?? [];
    list.push({ departments: r.departments, kind: r.kind, at: new Date(r.at).getTime() });
    byPerson.set(r.personId, list);
  }
  return byPerson;
}

export interface CycleListFilters {
  scope: string;
  stage?: string;
  status?: string;
  level?: string;
  limit: number;
  after?: string;
}

export type CycleListRow = Row<CycleListItem, 'deadline' | 'startedAt' | 'updatedAt' | 'closedAt'>;
export type CycleRecordRow = Omit<
  Row<CycleRecord, 'deadline' | 'startedAt' | 'updatedAt' | 'closedAt'>,
  'state' | 'results' | 'outcome'
> & {
  /** A summary while the cycle runs; its final state once it ended (tell them apart by `cycleId`). */
  state: CycleState | CycleRow['summary'];
  results: PositionResult[] | null;
  outcome: NonNullable<CycleState['outcome']> | null;
};
export type CycleEventRow = Row<CycleEvent, 'at'>;

export function createCycleQueries(pool: Pool) {
  return {
    /** The cycle's live state as its workflow last sent it; undefined when it never did (older cycles). */
    cycleState(cycleId: string): Promise<Projection<CycleState> | undefined> {
      return readProjection<CycleState>(pool, cycleWorkflowId(cycleId), CYCLE_STATE_ARRAYS);
    },

    async jurisdiction(id: string): Promise<(Jurisdiction & { ancestors: string[] }) | undefined> {
      const { rows } = await pool.query<Jurisdiction & { ancestors: string[] }>(JURISDICTION([id]));
      return rows[0];
    },

    /** True when `id` is `scope` itself or lies below it. */
    async within(scope: string, id: string): Promise<boolean> {
      const { rows } = await pool.query<{ inside: boolean }>(WITHIN([scope, id]));
      return rows[0]?.inside === true;
    },

    async subtree(root: string): Promise<Jurisdiction[]> {
      const { rows } = await pool.query<Jurisdiction>(
        `SELECT id, name, level, parent_id AS "parentId" FROM jurisdictions WHERE $1 = ANY(ancestors)
         ORDER BY array_length(ancestors, 1), id`,
        [root],
      );
      return rows;
    },

    async listCycles(f: CycleListFilters): Promise<CycleListRow[]> {
      const { rows } = await pool.query<CycleListRow>(
        // What it waits for as its GET says it, from the projection: the row has it only as of the last
        // act on the record, and the wait a cycle computes after its start or its abort is no act
        // (found from outside: the list said "" while GET named the launch's inputs).
        `SELECT c.id, c.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", c.term, c.level, c.stage, c.status,
                coalesce(w.value #>> '{}', c.waiting_for) AS "waitingFor", c.deadline, c.started_at AS "startedAt",
                c.updated_at AS "updatedAt", c.closed_at AS "closedAt"
         FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
         LEFT JOIN workflow_projections p ON p.workflow_id = $7 || c.id AND NOT p.stale
         LEFT JOIN workflow_state_parts w ON w.workflow_id = p.workflow_id AND w.part = 'waitingFor'
         WHERE $1 = ANY(j.ancestors)
           AND ($2::text IS NULL OR c.stage = $2) AND ($3::text IS NULL OR c.status = $3) AND ($4::text IS NULL OR c.level = $4)
           AND ($5::text IS NULL OR c.id > $5)
         ORDER BY c.id LIMIT $6`,
        [f.scope, f.stage ?? null, f.status ?? null, f.level ?? null, f.after ?? null, f.limit, cycleWorkflowId('')],
      );
      return rows;
    },

    /** The cycle's row: `state` is a summary while it runs and the final state once it ended. */
    async cycle(id: string): Promise<CycleRecordRow | undefined> {
      const { rows } = await pool.query<CycleRecordRow>(
        `SELECT id, jurisdiction_id AS "jurisdictionId", term, level, stage, status, waiting_for AS "waitingFor", deadline, version,
                state, results, outcome, started_at AS "startedAt", updated_at AS "updatedAt", closed_at AS "closedAt"
         FROM cycles WHERE id = $1`,
        [id],
      );
      return rows[0];
    },

    async people(cycleId: string) {
      const { rows } = await pool.query<{
        personId: string;
        name: string;
        positionId: string;
        candidateStatus: CycleState['candidates'][number]['status'] | null;
        nomineeStatus: CycleState['nominees'][number]['status'] | null;
        detail: Record<string, unknown>;
      }>(
        `SELECT person_id AS "personId", name, position_id AS "positionId", candidate_status AS "candidateStatus",
                nominee_status AS "nomineeStatus", detail FROM cycle_people WHERE cycle_id = $1 ORDER BY position_id, person_id`,
        [cycleId],
      );
      return rows;
    },

    async lateReviews(cycleId: string): Promise<LateReviews> {
      const { rows } = await pool.query<LateRow>(`${LATE_REVIEWS} ORDER BY "personId", at, kind`, [cycleId]);
      return lateByPerson(rows);
    },

    /**
     * What a reader of one cycle needs, in one round trip (each query costs the API a socket write
     * and a turn of its event loop, and reads are most of its work): whether `scope` covers the
     * cycle's jurisdiction, the cycle's projection, and its candidates' late departments. The caller
     * must look at `inside` before anything else.
     */
    async cycleForReader(
      scope: string,
      cycleId: string,
      jurisdictionId: string,
    ): Promise<{ inside: boolean; projected: Projection<CycleState> | undefined; late: LateReviews }> {
      const { rows } = await pool.query<ProjectionColumns & { inside: boolean; late: LateRow[] }>(
        CYCLE_FOR_READER([cycleId, scope, jurisdictionId, cycleWorkflowId(cycleId)]),
      );
      const row = rows[0]!;
      return {
        inside: row.inside,
        projected: projectionOf<CycleState>(row, CYCLE_STATE_ARRAYS),
        late: lateByPerson(row.late),
      };
    },

    /** The roles of whoever last raised hold `name` on the cycle, from the record (undefined: none on it). */
    async holdRaisedAs(cycleId: string, name: string): Promise<string[] | undefined> {
      const { rows } = await pool.query<{ role: string }>(
        `SELECT role FROM audit_events WHERE cycle_id = $1 AND action = 'hold.added' AND detail->'input'->>'name' = $2
         ORDER BY id DESC LIMIT 1`,
        [cycleId, name],
      );
      return rows[0]?.role.split(',');
    },

    async timeline(cycleId: string): Promise<CycleEventRow[]> {
      const { rows } = await pool.query<CycleEventRow>(
        `SELECT id::text, at, actor, role, request_id AS "requestId", subject_type AS "subjectType", subject_id AS "subjectId",
                action, before, after, detail
         FROM audit_events WHERE cycle_id = $1 ORDER BY audit_events.at, audit_events.id`,
        [cycleId],
      );
      return rows;
    },
  };
}
