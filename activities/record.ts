/**
 * Puts workflows' acts on the record: the audit trail and the cycle read model. Every write is
 * idempotent (the event key is the workflow id + its own sequence number; the cycle row only moves
 * forward in version), so a retried activity never doubles or rewinds anything.
 */
import type { CycleRow, CycleState, PersonRow } from '../domain/cycle.js';
import type { AuditEvent } from '../domain/events.js';
import { appendAudit, appendAuditEvents } from './audit.js';
import type { CycleActsForRecord } from '../workflows/contracts/cycle.js';
import { withTransaction, type Client, type Pool } from './db.js';

export function createRecordActivities({ pool }: { pool: Pool }) {
  return {
    async recordEvent(event: AuditEvent): Promise<void> {
      await withTransaction(pool, (client) => appendAudit(client, event));
    },

    /**
     * One act of a cycle: its audit event, its row, the people it touched, and at close the final
     * state; first, the acts the cycle handed to their senders since its last own record (`earlier`,
     * written again in case a sender died before it wrote them).
     */
    async recordCycleEvent(
      event: AuditEvent,
      row: CycleRow,
      people: PersonRow[],
      finalState?: CycleState,
      earlier?: CycleActsForRecord,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        if (earlier && earlier.events.length > 0)
          await writeCycleRows(client, earlier.events.at(-1)!, earlier.row, earlier.people);
        await writeCycleRows(client, event, row, people, finalState);
        // Last: the audit chain's lock is held from the first append to the commit.
        await appendAuditEvents(client, [...(earlier?.events ?? []), event]);
      });
    },

    /**
     * The acts a cycle handed to the sender of an input (contracts/cycle.ts CycleActForRecord): what
     * the API and the gateway activities do with an input's answer before they answer their callers.
     */
    async recordCycleAnswer(acts: CycleActsForRecord | undefined): Promise<void> {
      if (!acts || acts.events.length === 0) return;
      await withTransaction(pool, async (client) => {
        await writeCycleRows(client, acts.events.at(-1)!, acts.row, acts.people);
        await appendAuditEvents(client, acts.events);
      });
    },
  };
}

/** The cycle's row and its people's rows as one act left them (each only moves forward in version). */
async function writeCycleRows(
  client: Client,
  event: AuditEvent,
  row: CycleRow,
  people: PersonRow[],
  finalState?: CycleState,
) {
  await writeCycleRow(client, row, event.at, { ...(finalState ? { finalState } : {}) });
  // People move forward row by row: a record overtaken by a newer one of the same cycle still
  // writes the people it alone carries (cycles only send the rows that changed).
  if (people.length > 0) {
    await client.query(
      `INSERT INTO cycle_people (cycle_id, person_id, name, position_id, candidate_status, nominee_status, detail, version)
             SELECT $1, p."personId", p.name, p."positionId", p."candidateStatus", p."nomineeStatus", p.detail, $3
             FROM jsonb_to_recordset($2::jsonb) AS p("personId" text, name text, "positionId" text, "candidateStatus" text, "nomineeStatus" text, detail jsonb)
             ON CONFLICT (cycle_id, person_id) DO UPDATE SET name = EXCLUDED.name, position_id = EXCLUDED.position_id,
               candidate_status = EXCLUDED.candidate_status, nominee_status = EXCLUDED.nominee_status, detail = EXCLUDED.detail, version = EXCLUDED.version
             WHERE cycle_people.version <= EXCLUDED.version`,
      [row.id, JSON.stringify(people), row.version],
    );
  }
}

/**
 * The cycle's row as `row` left it at `at` (epoch ms): moved forward in version over the stored one,
 * or, `ifAbsent`, written only when there is none (the API's row at a start). `started_at` moves too:
 * the row the API wrote at the start carries the API's clock, the workflow's its own.
 */
export async function writeCycleRow(
  client: Client,
  row: CycleRow,
  at: number,
  o: { finalState?: CycleState; ifAbsent?: boolean } = {},
) {
  const closed = row.status === 'closed' || row.status === 'aborted';
  await client.query(
    `INSERT INTO cycles (id, jurisdiction_id, term, level, stage, status, waiting_for, deadline, version, state, results, outcome, started_at, updated_at, closed_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
           ON CONFLICT (id) ${
             o.ifAbsent
               ? 'DO NOTHING'
               : `DO UPDATE SET started_at = EXCLUDED.started_at, stage = EXCLUDED.stage, status = EXCLUDED.status, waiting_for = EXCLUDED.waiting_for,
             deadline = EXCLUDED.deadline, version = EXCLUDED.version, state = EXCLUDED.state,
             results = COALESCE(EXCLUDED.results, cycles.results), outcome = COALESCE(EXCLUDED.outcome, cycles.outcome),
             updated_at = EXCLUDED.updated_at, closed_at = COALESCE(EXCLUDED.closed_at, cycles.closed_at)
           WHERE cycles.version <= EXCLUDED.version`
           }`,
    [
      row.id,
      row.jurisdictionId,
      row.term,
      row.level,
      row.stage,
      row.status,
      row.waitingFor,
      row.deadline === null ? null : new Date(row.deadline),
      row.version,
      JSON.stringify(o.finalState ?? row.summary),
      o.finalState ? JSON.stringify(o.finalState.results) : null,
      o.finalState?.outcome ? JSON.stringify(o.finalState.outcome) : null,
      new Date(row.startedAt),
      new Date(at),
      closed ? new Date(at) : null,
    ],
  );
}
