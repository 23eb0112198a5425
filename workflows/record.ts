/**
 * What every workflow shares about putting its acts on the record: the retry policy of record-writing
 * activities (Postgres being away is transient — keep trying, the record must not be lost) and the
 * audit event builder, keyed by workflow id and the workflow's own sequence so a retry never doubles a row.
 */
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  type ActivityInterfaceFor,
  type UntypedActivities,
} from '@temporalio/workflow';
import type { AuditEvent } from '../domain/events.js';
import type { Actor } from '../domain/schemas.js';

export const RECORD_RETRY = {
  initialInterval: '1 second',
  maximumInterval: '1 minute',
  backoffCoefficient: 2,
} as const;

/** How long one record may take before it is tried again (its writes are idempotent). */
const RECORD_TIMEOUT = '30 seconds';
export const RECORD_OPTIONS = { startToCloseTimeout: RECORD_TIMEOUT, retry: RECORD_RETRY } as const;

/**
 * Acts answered for their senders to record (patch senders-record-acts) stay in every answer until
 * the workflow has recorded them itself: at its next own record, once this many are outstanding (a
 * cycle's answers are many and land in its own history, so fewer), or this long after an answer,
 * whichever comes first — so an act whose sender died is on the record within a minute even if
 * nothing else happens.
 */
export const MAX_UNRECORDED = { candidate: 16, cycle: 8 } as const;
export const UNRECORDED_WITHIN_MS = 60_000;

/**
 * The activity `name` that writes this run's records: an ordinary one (patch `records-as-activities`;
 * call it once, at the start of a run) or, in runs from before the patch, the local one they began with. A local activity runs inside the
 * workflow task that asked for it, before the server has accepted that task: when the task then
 * fails or is cut short (a worker dies, a task times out under load, the server answers Updates the
 * task carried as unprocessed), the retry takes the acts again — possibly other acts, in another
 * order — while the first attempt's writes stay. The outside attack saw acts lost, doubled, and
 * recorded though refused. An ordinary activity is scheduled only by a task the server accepted, so
 * the record holds exactly the acts in history. It costs events (issue 14): the README says how many.
 */
export function recordActivity<A extends UntypedActivities, K extends keyof A>(
  name: K,
  /** The run has a later patch (senders-record-acts), which implies this one: not asked again (each asks costs two events). */
  newer = false,
): ActivityInterfaceFor<A>[K] {
  const options = RECORD_OPTIONS;
  return newer || patched('records-as-activities')
    ? proxyActivities<A>(options)[name]
    : proxyLocalActivities<A>(options)[name];
}

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

/**
 * Puts records on one at a time, in the order they were asked for. Records are local activities, and
 * two under way at once (acts that came in one workflow task: a start and an Update, two Updates)
 * come back in whatever order they finish, while a replay resolves them in the order of their
 * markers in history: what the workflow did between them (an Update answered, a search attribute
 * written, a child started) then differs, and the replay fails as non-deterministic (TMPRL1100).
 * One at a time, each record's result is the only thing a workflow task can wait on, live and in
 * replay alike.
 *
 * A record with none under way starts at once, as a direct call does, so histories without overlap
 * are unchanged. Only an overlap asks `patched(patchId)`: histories recorded before this change, where
 * records overlapped, replay as they ran (the marker is absent there), and new ones carry the marker.
 */
export function oneAtATime(
  patchId: string,
  /** The run is newer than the patch (its input says so): one at a time without asking. */
  newer = false,
): <T>(work: () => Promise<T>) => Promise<T> {
  let busy: Promise<void> | undefined;
  return (work) => {
    const run = busy && (newer || patched(patchId)) ? busy.then(work) : work();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    const previous = busy;
    busy = previous ? Promise.all([previous, settled]).then(() => undefined) : settled;
    const mine = busy;
    void mine.then(() => {
      if (busy === mine) busy = undefined;
    });
    return run;
  };
}
