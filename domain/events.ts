/** What activities receive to put a workflow's acts on the record (read model + audit trail). */
import type { Actor } from './schemas.js';

export const SYSTEM: Actor = { id: 'system', role: 'system' };

export interface AuditEvent {
  /** Idempotency key: workflow id + its own sequence number, so a retried write never doubles a row. */
  key: string;
  at: number;
  actor: Actor;
  /** e.g. cycle, candidate */
  subjectType: string;
  subjectId: string;
  /** The cycle an event belongs to, for timelines. */
  cycleId: string | null;
  jurisdictionId: string | null;
  action: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  detail?: Record<string, unknown>;
}
