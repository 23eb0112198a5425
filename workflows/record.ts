/**
 * What every workflow shares about putting its acts on the record: the retry policy of record-writing
 * activities (Postgres being away is transient — keep trying, the record must not be lost) and the
 * audit event builder, keyed by workflow id and the workflow's own sequence so a retry never doubles a row.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { AuditEvent } from '../domain/events.js';
import type { Actor } from '../domain/schemas.js';

export const RECORD_RETRY = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  backoffCoefficient: 2,
} as const;

export function auditEvents(subject: {
  type: string;
  id: string;
  cycleId: string | null;
  jurisdictionId: string | null;
  detail?: Record<string, unknown>;
}) {
  let seq = 0;
  return (action: string, actor: Actor, detail?: Record<string, unknown>): AuditEvent => ({
    key: `${workflowInfo().workflowId}#${++seq}`,
    at: Date.now(),
    actor,
    subjectType: subject.type,
    subjectId: subject.id,
    cycleId: subject.cycleId,
    jurisdictionId: subject.jurisdictionId,
    action,
    detail: { ...subject.detail, ...detail },
  });
}
