/**
 * Sensitive details sealed in PostgreSQL before a workflow hears of them (personal-matters details,
 * a finding's summary): the API seals them here and sends the workflow only the returned id.
 * Idempotent by the request's key, so a retried request reuses its first row.
 */
import { randomUUID } from 'node:crypto';
import {
  classifyPersonalMatters,
  type PersonalMattersInput,
  type PersonalMattersMessage,
  type PersonalMattersRules,
} from '../domain/inspection.js';
import type { Pool } from './db.js';
import type { Sealer } from './sealed.js';

export type SealedKind = 'personalMatters' | 'findingSummary';

/** The subject a personal-matters record belongs to. */
export const candidateSubject = (cycleId: string, personId: string) => `${cycleId}/${personId}`;

export function createSealedDetailActivities({ pool, sealer }: { pool: Pool; sealer: Sealer }) {
  async function sealDetails(kind: SealedKind, subject: string, key: string, value: unknown, by: string) {
    // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING gives the first row's id on a retry.
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO sealed_details (id, kind, subject, idem_key, sealed, created_by) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (kind, subject, idem_key) DO UPDATE SET kind = EXCLUDED.kind RETURNING id`,
      [`S-${randomUUID()}`, kind, subject, key, sealer.seal(value), by],
    );
    return rows[0]!.id;
  }

  return {
    sealDetails,

    /**
     * Classifies a personal-matters comparison under the candidate's rules, seals the details with
     * the classification, and answers what the candidate workflow may carry: the reference and the
     * classification only.
     */
    async sealPersonalMatters(
      cycleId: string,
      personId: string,
      key: string,
      input: PersonalMattersInput,
      rules: PersonalMattersRules,
      by: string,
    ): Promise<PersonalMattersMessage> {
      const classification = classifyPersonalMatters(input, { inspection: { personalMatters: rules } });
      const sealedRef = await sealDetails(
        'personalMatters',
        candidateSubject(cycleId, personId),
        key,
        { items: input.items, discrepancies: classification.discrepancies },
        by,
      );
      return { sealedRef, classification };
    },

    /** A finding's summary, sealed before the report workflow hears of the finding. */
    sealFindingSummary(reportId: string, key: string, summary: string, by: string): Promise<string> {
      return sealDetails('findingSummary', reportId, key, summary, by);
    },
  };
}
