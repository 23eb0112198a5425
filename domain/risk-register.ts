/**
 * Registering and resolving a risk (风险隐患), as rules: which cycle a risk may name, when a high
 * risk is due, what its direct supervision from above is started with, and what goes on the record
 * when a low or medium risk is resolved. Pure; the API calls these and activities write the result.
 */
import { addWorkingDays, workingDaysCovered, type CalendarSpec } from './calendar.js';
import { DomainError, ErrorType } from './errors.js';
import type { AuditEvent } from './events.js';
import { riskWorkflowId } from './ids.js';
import type { Policy } from './policy.js';
import type { Actor } from './schemas.js';
import { RISK_CATEGORIES, type RiskInput } from './supervision.js';

/** A risk may name a cycle only of its own jurisdiction (a cycle id is `<jurisdictionId>:<term>`). */
export function checkRiskCycle(input: Pick<RiskInput, 'jurisdictionId' | 'cycleId'>): void {
  if (!input.cycleId) return;
  if (input.cycleId.slice(0, input.cycleId.lastIndexOf(':')) !== input.jurisdictionId)
    throw new DomainError(ErrorType.Inconsistent, `cycle ${input.cycleId} is not ${input.jurisdictionId}'s`, [
      { path: 'cycleId', rule: 'a cycle of the same jurisdiction' },
    ]);
}

/**
 * A high risk is resolved by the level above its jurisdiction; at the root there is none, so it would
 * stay open, holding its gate, for good (found from outside).
 */
export function checkRiskLevel(input: Pick<RiskInput, 'level'>, jurisdiction: { parentId: string | null }): void {
  if (input.level === 'high' && jurisdiction.parentId === null)
    throw new DomainError(
      ErrorType.Inconsistent,
      'a high risk is supervised and resolved by the level above; this jurisdiction is the top of the tree',
      [{ path: 'level', rule: 'high only below the root (a high risk is resolved by the level above)' }],
    );
}

/** Only a high risk has a deadline: deadlineWorkingDays from filing, on the cycle's calendar. */
export function riskDeadline(
  input: Pick<RiskInput, 'level' | 'deadlineWorkingDays'>,
  calendar: CalendarSpec,
  now: number,
): number | null {
  if (input.level !== 'high') return null;
  // Said in the body's own terms: the calendar's own error names policy.calendar.overrides, a field
  // the caller never sent (found from outside).
  const reach = workingDaysCovered(calendar, now, input.deadlineWorkingDays);
  if (reach.lacks !== undefined)
    throw new DomainError(
      ErrorType.Calendar,
      `a deadline ${input.deadlineWorkingDays} working days from today runs into ${reach.lacks}, which the working-day calendar has no data for`,
      [
        {
          path: 'deadlineWorkingDays',
          rule: `at most ${reach.days} working days from today; or name a cycle whose organizer has supplied ${reach.lacks} (POST /v1/cycles/{cycleId}/calendar-years)`,
        },
      ],
    );
  return addWorkingDays(calendar, now, input.deadlineWorkingDays);
}

/**
 * A high risk runs under direct supervision from above: its workflow's id, summary and input
 * (recorded with the risk's row, started from the outbox). Low and medium risks have none.
 */
export function riskSupervision(
  riskId: string,
  input: RiskInput,
  policy: Pick<Policy, 'calendar' | 'supervision'>,
  deadline: number | null,
) {
  if (input.level !== 'high') return undefined;
  return {
    workflowId: riskWorkflowId(riskId),
    summary: `高风险督办 ${riskId} · ${RISK_CATEGORIES[input.category]} · ${input.stage}`,
    input: {
      riskId,
      jurisdictionId: input.jurisdictionId,
      ...(input.cycleId ? { cycleId: input.cycleId } : {}),
      stage: input.stage,
      deadline,
      calendar: policy.calendar,
      escalateAfterWorkingDays: policy.supervision.escalateAfterWorkingDays,
    },
  };
}

/**
 * A low or medium risk is resolved where it was filed (a high one by its workflow, from above): an
 * open one once, on the record.
 */
export function riskResolution(
  risk: { id: string; jurisdictionId: string; status: 'open' | 'resolved' },
  actor: Actor,
  at: number,
): AuditEvent {
  if (risk.status === 'resolved') throw new DomainError(ErrorType.Closed, `risk ${risk.id} is already resolved`);
  return {
    key: `risk:${risk.id}:resolved`,
    at,
    actor,
    subjectType: 'risk',
    subjectId: risk.id,
    cycleId: null,
    jurisdictionId: risk.jurisdictionId,
    action: 'risk.resolved',
    detail: {},
  };
}
