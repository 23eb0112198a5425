/**
 * The report ledger (举报台账). Registration is called by the intake route (it must answer with the
 * report id at once, linking a repeated channel reference to the first report); the rest by the
 * report workflow. Text, reporter and an official's name are sealed before they reach the database.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorType } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type { Finding, IntakeInput, Triage } from '../domain/reports.js';
import type { Actor } from '../domain/schemas.js';
import { appendAudit } from './audit.js';
import { withTransaction, type Pool } from './db.js';
import { initialReportState } from '../workflows/contracts/report.js';
import { enqueueStart, type PendingStart } from './outbox.js';
import { writeInitialProjection } from './projection.js';
import type { Sealer } from './sealed.js';

export interface Registered {
  reportId: string;
  /** Set when this intake repeated an earlier one's channel reference. */
  duplicateOf?: string;
}

/**
 * One official's name however it was typed: NFKC (full-width letters, the ideographic space), no
 * spaces between Chinese characters (张, U+3000, 三 is how lists pad a two-character name), other spaces
 * collapsed, letters in one case. Stricter is safe — a 409 asks for a new reference — but two
 * spellings of one name must not split one source into two reports (found from outside).
 */
const sameName = (a: string, b: string) => {
  const norm = (n: string) =>
    n
      .normalize('NFKC')
      .replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
  return norm(a) === norm(b);
};

export function createReportActivities({ pool, sealer }: { pool: Pool; sealer: Sealer }) {
  return {
    async registerReport(
      reportId: string,
      input: IntakeInput,
      jurisdictionId: string,
      actor: Actor,
      /** The report's workflow, started in the same step as the row (outbox.ts); not for a duplicate. */
      start?: PendingStart & { kind: 'report' },
    ): Promise<Registered> {
      return withTransaction(pool, async (client) => {
        // One intake per id. A retry under the same Idempotency-Key carries the same id: it waits here
        // for the first to commit, then answers as the first did (its audit row records the outcome)
        // instead of linking itself to its own report as a duplicate.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`report:${reportId}`]);
        const done = await client.query<{ subject_id: string; action: string }>(
          'SELECT subject_id, action FROM audit_events WHERE idem_key = $1',
          [`report:${reportId}:registered`],
        );
        const first = done.rows[0];
        if (first)
          return first.action === 'report.registered'
            ? { reportId: first.subject_id }
            : { reportId: first.subject_id, duplicateOf: first.subject_id };
        // A repeat is the same channel, channel reference AND jurisdiction (the target's): another
        // jurisdiction's report with that reference is not this one's, and is never named to it.
        const { rows } = await client.query<{
          id: string;
          inserted: boolean;
          target_type: string;
          target_cycle_id: string | null;
          target_person_id: string | null;
          target_sealed: string | null;
        }>(
          `INSERT INTO reports (id, channel, channel_ref, category, target_type, target_cycle_id, target_person_id, jurisdiction_id,
                                text_sealed, reporter_sealed, target_sealed, received_at, registered_by, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'registered')
           ON CONFLICT (channel, channel_ref, jurisdiction_id) WHERE channel_ref IS NOT NULL DO UPDATE SET duplicates = reports.duplicates + 1
           RETURNING id, (xmax = 0) AS inserted, target_type, target_cycle_id, target_person_id, target_sealed`,
          [
            reportId,
            input.channel,
            input.channelRef ?? null,
            input.category,
            input.target.type,
            input.target.type === 'candidate' ? input.target.cycleId : null,
            input.target.type === 'candidate' ? input.target.personId : null,
            jurisdictionId,
            sealer.seal(input.text),
            input.reporter ? sealer.seal(input.reporter) : null,
            input.target.type === 'official' ? sealer.seal({ name: input.target.name }) : null,
            new Date(input.receivedAt),
            actor.id,
          ],
        );
        const row = rows[0]!;
        // A repeat names the same target: one source about a candidate is not a repeat of one about
        // their jurisdiction, and linking it would leave the candidate unheld (found from outside).
        // Refused, and the transaction (the repeat's count) rolled back.
        const sameTarget =
          row.target_type === input.target.type &&
          row.target_cycle_id === (input.target.type === 'candidate' ? input.target.cycleId : null) &&
          row.target_person_id === (input.target.type === 'candidate' ? input.target.personId : null) &&
          // Officials by their sealed names, compared here and never shown: 李四 is no repeat of 张三.
          (input.target.type !== 'official' ||
            (row.target_sealed !== null &&
              sameName(sealer.unseal<{ name: string }>(row.target_sealed).name, input.target.name)));
        if (!row.inserted && !sameTarget)
          throw new DomainError(
            ErrorType.Conflict,
            `this channel reference is registered for another target in this jurisdiction (report ${row.id})`,
            [
              {
                path: 'channelRef',
                rule: 'a repeat names the same target as the first report; another target needs its own reference',
              },
            ],
          );
        if (row.inserted && start) {
          await enqueueStart(client, start);
          // Read before the workflow's first task has run (a busy worker), the report answers this.
          await writeInitialProjection(client, start.workflowId, initialReportState(start.input), []);
        }
        await appendAudit(client, {
          key: `report:${reportId}:registered`,
          at: Date.now(),
          actor,
          subjectType: 'report',
          subjectId: row.id,
          cycleId: input.target.type === 'candidate' ? input.target.cycleId : null,
          jurisdictionId,
          action: row.inserted ? 'report.registered' : 'report.duplicate',
          detail: {
            channel: input.channel,
            category: input.category,
            targetType: input.target.type,
            ...(row.inserted ? {} : { linkedTo: row.id }),
          },
        });
        return row.inserted ? { reportId: row.id } : { reportId: row.id, duplicateOf: row.id };
      });
    },

    async recordReportTriage(
      reportId: string,
      t: { triage: Triage; rule: string; unit: string; deadline: number | null; hold: string },
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        await client.query(
          `UPDATE reports SET triage = $2, triage_rule = $3, unit = $4, deadline = $5, hold = $6, status = 'verifying' WHERE id = $1 AND status <> 'closed'`,
          [reportId, t.triage, t.rule, t.unit, t.deadline === null ? null : new Date(t.deadline), t.hold],
        );
        await appendAudit(client, event);
      });
    },

    async markReportLate(
      reportId: string,
      kind: 'overdue' | 'escalated',
      at: number,
      recipient: string,
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        const column = kind === 'overdue' ? 'overdue_at' : 'escalated_at';
        const { rows } = await client.query(
          `UPDATE reports SET ${column} = COALESCE(${column}, $2) WHERE id = $1 RETURNING jurisdiction_id`,
          [reportId, new Date(at)],
        );
        await client.query(
          `INSERT INTO notifications (idem_key, recipient, jurisdiction_id, subject, body, created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING`,
          [
            event.key,
            recipient,
            rows[0]?.jurisdiction_id ?? null,
            kind === 'overdue' ? '举报逾期未办结，催办' : '举报逾期，提请上级督办',
            `report ${reportId}`,
            new Date(at),
          ],
        );
        await appendAudit(client, event);
      });
    },

    async closeReport(
      reportId: string,
      c: {
        finding: Finding;
        consequence: string | null;
        effect: string;
        closedAt: number;
        onTime: boolean;
      } & ({ summaryRef: string } | { summary: string }),
      event: AuditEvent,
    ): Promise<void> {
      await withTransaction(pool, async (client) => {
        // The summary was sealed by the API (only its id came through the workflow); a finding
        // accepted before that carries the summary itself, sealed here.
        let summarySealed: string;
        if ('summaryRef' in c) {
          const { rows } = await client.query<{ sealed: string }>(
            `SELECT sealed FROM sealed_details WHERE id = $1 AND kind = 'findingSummary' AND subject = $2`,
            [c.summaryRef, reportId],
          );
          if (!rows[0])
            throw ApplicationFailure.nonRetryable(
              `no sealed finding summary ${c.summaryRef} for report ${reportId}`,
              ErrorType.SealedDetailsMissing,
            );
          summarySealed = rows[0].sealed;
        } else {
          summarySealed = sealer.seal(c.summary);
        }
        await client.query(
          `UPDATE reports SET status = 'closed', finding = $2, consequence = $3, summary_sealed = $4, effect = $5, closed_at = $6, closed_on_time = $7
           WHERE id = $1 AND status <> 'closed'`,
          [reportId, c.finding, c.consequence, summarySealed, c.effect, new Date(c.closedAt), c.onTime],
        );
        if (c.finding === 'malicious') {
          await client.query(
            `INSERT INTO notifications (idem_key, recipient, jurisdiction_id, subject, body, created_at)
             SELECT $1, 'discipline-referral', jurisdiction_id, '恶意举报移送', 'report ' || id, $2 FROM reports WHERE id = $3 ON CONFLICT DO NOTHING`,
            [`${event.key}:referral`, new Date(c.closedAt), reportId],
          );
        }
        await appendAudit(client, event);
      });
    },
  };
}
