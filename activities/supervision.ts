/** Supervision checkpoints, findings and rectifications, monitoring scores and the risk register. */
import type { AuditEvent } from '../domain/events.js';
import type { Actor } from '../domain/schemas.js';
import type { CheckpointInput, MonitoringInput, Phase, RiskInput } from '../domain/supervision.js';
import { appendAudit } from './audit.js';
import { withTransaction, type Pool } from './db.js';
import { enqueueStart, type PendingStart } from './outbox.js';

export interface FiledFinding {
  id: string;
  severity: string;
  description: string;
  owner: string | null;
  deadline: number | null;
}

async function notify(
  client: import('./db.js').Client,
  key: string,
  recipient: string,
  jurisdictionId: string | null,
  subject: string,
  body: string,
  at: number,
) {
  await client.query(
    `INSERT INTO notifications (idem_key, recipient, jurisdiction_id, subject, body, created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING`,
    [key, recipient, jurisdictionId, subject, body, new Date(at)],
  );
}

export function createSupervisionActivities({ pool }: { pool: Pool }) {
  return {
    /** Opens a checkpoint and fixes its agenda: the open medium risks of the cycle and its jurisdiction. */
    async openCheckpoint(
      cycleId: string,
      jurisdictionId: string,
      phase: Phase,
      openedAt: number,
      deadline: number | null,
      event: AuditEvent,
    ): Promise<string[]> {
      return withTransaction(pool, async (client) => {
        const existing = await client.query<{ agenda: string[] }>(
          'SELECT agenda FROM supervision_checkpoints WHERE cycle_id = $1 AND phase = $2',
          [cycleId, phase],
        );
        if (existing.rows[0]) return existing.rows[0].agenda;
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM risks WHERE level = 'medium' AND status = 'open' AND addressed_at IS NULL
             AND (cycle_id = $1 OR (cycle_id IS NULL AND jurisdiction_id = $2)) ORDER BY created_at, id`,
          [cycleId, jurisdictionId],
        );
        const agenda = rows.map((r) => r.id);
        await client.query(
          `INSERT INTO supervision_checkpoints (cycle_id, phase, jurisdiction_id, opened_at, deadline, agenda) VALUES ($1,$2,$3,$4,$5,$6)`,
          [
            cycleId,
            phase,
            jurisdictionId,
            new Date(openedAt),
            deadline === null ? null : new Date(deadline),
            JSON.stringify(agenda),
          ],
        );
        await appendAudit(client, { ...event, detail: { ...event.detail, agenda } });
        return agenda;
      });
    },

    /** A medium risk registered after its checkpoint opened, added to that checkpoint's agenda (once). */
    async addToAgenda(cycleId: string, phase: Phase, riskId: string, event: AuditEvent): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `UPDATE supervision_checkpoints SET agenda = agenda || to_jsonb($3::text)
            WHERE cycle_id = $1 AND phase = $2 AND NOT agenda ? $3`,
          [cycleId, phase, riskId],
        );
        await appendAudit(client, event);
      });
    },

    /** A checkpoint opened with no deadline (a year the calendar lacked) gets it once the year is supplied. */
    async setCheckpointDeadline(cycleId: string, phase: Phase, deadline: number, event: AuditEvent): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          'UPDATE supervision_checkpoints SET deadline = $3 WHERE cycle_id = $1 AND phase = $2 AND deadline IS NULL',
          [cycleId, phase, new Date(deadline)],
        );
        await appendAudit(client, event);
      });
    },

    async markCheckpointLate(
      cycleId: string,
      jurisdictionId: string,
      phase: Phase,
      kind: 'overdue' | 'escalated',
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const column = kind === 'overdue' ? 'overdue_at' : 'escalated_at';
        await client.query(
          `UPDATE supervision_checkpoints SET ${column} = COALESCE(${column}, $3) WHERE cycle_id = $1 AND phase = $2`,
          [cycleId, phase, new Date(at)],
        );
        await notify(
          client,
          event.key,
          kind === 'overdue' ? 'supervisor' : 'upper-level',
          jurisdictionId,
          kind === 'overdue' ? '督查逾期未报' : '督查逾期，提请上级',
          `cycle ${cycleId}, checkpoint ${phase}`,
          at,
        );
        await appendAudit(client, event);
      });
    },

    async fileCheckpoint(
      cycleId: string,
      phase: Phase,
      input: CheckpointInput,
      findings: FiledFinding[],
      by: string,
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `UPDATE supervision_checkpoints SET filed_at = $3, filed_by = $4, checklist = $5 WHERE cycle_id = $1 AND phase = $2 AND filed_at IS NULL`,
          [
            cycleId,
            phase,
            new Date(at),
            by,
            JSON.stringify({ checklist: input.checklist, riskResponses: input.riskResponses }),
          ],
        );
        for (const f of findings) {
          await client.query(
            `INSERT INTO supervision_findings (id, cycle_id, phase, severity, description, status, owner, deadline) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
             ON CONFLICT (id) DO NOTHING`,
            [
              f.id,
              cycleId,
              phase,
              f.severity,
              f.description,
              f.owner ? 'rectifying' : 'recorded',
              f.owner,
              f.deadline === null ? null : new Date(f.deadline),
            ],
          );
        }
        await client.query(`UPDATE risks SET addressed_at = $2 WHERE id = ANY($1) AND addressed_at IS NULL`, [
          input.riskResponses.map((r) => r.riskId),
          `${cycleId}/${phase}`,
        ]);
        await appendAudit(client, event);
      });
    },

    /** A rectification filed with no deadline (a year the calendar lacked) gets it once the year is supplied. */
    async setFindingDeadline(findingId: string, deadline: number, event: AuditEvent): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query('UPDATE supervision_findings SET deadline = $2 WHERE id = $1 AND deadline IS NULL', [
          findingId,
          new Date(deadline),
        ]);
        await appendAudit(client, event);
      });
    },

    async markRectificationLate(
      findingId: string,
      jurisdictionId: string,
      kind: 'overdue' | 'escalated',
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const column = kind === 'overdue' ? 'overdue_at' : 'escalated_at';
        await client.query(`UPDATE supervision_findings SET ${column} = COALESCE(${column}, $2) WHERE id = $1`, [
          findingId,
          new Date(at),
        ]);
        await notify(
          client,
          event.key,
          kind === 'overdue' ? 'rectification-owner' : 'upper-level',
          jurisdictionId,
          kind === 'overdue' ? '整改逾期，催办' : '整改逾期，提请上级督办',
          `finding ${findingId}`,
          at,
        );
        await appendAudit(client, event);
      });
    },

    async acceptRectification(
      findingId: string,
      by: string,
      note: string,
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `UPDATE supervision_findings SET status = 'accepted', accepted_at = $2, accepted_by = $3, note = $4 WHERE id = $1 AND status <> 'accepted'`,
          [findingId, new Date(at), by, note],
        );
        await appendAudit(client, event);
      });
    },

    async recordMonitoring(
      cycleId: string,
      stage: string,
      input: MonitoringInput,
      by: string,
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO monitoring_scores (cycle_id, point, stage, scores, submitted_by, submitted_at) VALUES ($1,$2,$3,$4,$5,$6)
           ON CONFLICT (cycle_id, point, stage) DO UPDATE SET scores = EXCLUDED.scores, submitted_by = EXCLUDED.submitted_by, submitted_at = EXCLUDED.submitted_at`,
          [cycleId, input.point, stage, JSON.stringify(input.scores), by, new Date(at)],
        );
        await appendAudit(client, event);
      });
    },

    // ---- the risk register -------------------------------------------------------------------

    /**
     * A high risk's supervision workflow is started in the same step as its row (outbox.ts). A repeat
     * of the id (a retry under the same Idempotency-Key) changes nothing; the stored deadline is returned.
     */
    async registerRisk(
      id: string,
      input: RiskInput,
      deadline: number | null,
      actor: Actor,
      start?: PendingStart & { kind: 'risk' },
    ): Promise<number | null> {
      return withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO risks (id, jurisdiction_id, cycle_id, stage, category, level, description, measures, owner, status, created_by, created_at, deadline)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'open',$10,now(),$11) ON CONFLICT (id) DO NOTHING`,
          [
            id,
            input.jurisdictionId,
            input.cycleId ?? null,
            input.stage,
            input.category,
            input.level,
            input.description,
            JSON.stringify(input.measures),
            input.owner,
            actor.id,
            deadline === null ? null : new Date(deadline),
          ],
        );
        if (start) await enqueueStart(client, start);
        await appendAudit(client, {
          key: `risk:${id}:registered`,
          at: Date.now(),
          actor,
          subjectType: 'risk',
          subjectId: id,
          cycleId: input.cycleId ?? null,
          jurisdictionId: input.jurisdictionId,
          action: 'risk.registered',
          detail: { level: input.level, stage: input.stage, category: input.category, measures: input.measures.length },
        });
        // The first registration's deadline: a concurrent repeat waited on the id above for it to commit.
        const { rows } = await client.query<{ deadline: Date | null }>('SELECT deadline FROM risks WHERE id = $1', [
          id,
        ]);
        return rows[0]?.deadline ? rows[0].deadline.getTime() : null;
      });
    },

    async markRiskLate(
      riskId: string,
      jurisdictionId: string,
      kind: 'overdue' | 'escalated',
      at: number,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const column = kind === 'overdue' ? 'overdue_at' : 'escalated_at';
        await client.query(`UPDATE risks SET ${column} = COALESCE(${column}, $2) WHERE id = $1`, [
          riskId,
          new Date(at),
        ]);
        await notify(
          client,
          event.key,
          'upper-level',
          jurisdictionId,
          kind === 'overdue' ? '高风险督办逾期' : '高风险督办逾期，上报',
          `risk ${riskId}`,
          at,
        );
        await appendAudit(client, event);
      });
    },

    async resolveRisk(riskId: string, resolution: string, by: string, at: number, event: AuditEvent): Promise<boolean> {
      return withTransaction(pool, async (client) => {
        const { rowCount } = await client.query(
          `UPDATE risks SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = $4 WHERE id = $1 AND status = 'open'`,
          [riskId, resolution, by, new Date(at)],
        );
        await appendAudit(client, event);
        return (rowCount ?? 0) > 0;
      });
    },
  };
}
