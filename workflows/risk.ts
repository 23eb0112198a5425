/**
 * A high risk (高风险隐患) under direct supervision from the upper level (督办). It holds the gate of
 * the stage it belongs to in the affected cycle until it is resolved; if it is not resolved by the
 * upper level's deadline it is marked overdue and escalated.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createCycleGatewayActivities } from '../activities/cycle-gateway.js';
import type { createSupervisionActivities } from '../activities/supervision.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import type { Actor } from '../domain/schemas.js';
import { resolveRiskSchema } from '../domain/supervision.js';
import { holdPlacedFrom, holdPlacedUpdate, type HoldPlaced } from './contracts/hold.js';
import { getRiskQuery, resolveRiskUpdate, type RiskState, type RiskWorkflowInput } from './contracts/risk.js';
import { keepDeadlineAttributes } from './deadline-attributes.js';
import { riskDeadlineView } from './deadline-views.js';
import { escalationPoint, overdueThenEscalate } from './deadlines.js';
import { guard } from './guard.js';
import { RECORD_RETRY, auditEvents } from './record.js';
import { askTasksNeverEmpty } from './tasks-never-empty.js';

const records = proxyActivities<ReturnType<typeof createSupervisionActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const cycles = proxyActivities<ReturnType<typeof createCycleGatewayActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});

export async function riskWorkflow(input: RiskWorkflowInput): Promise<RiskState> {
  askTasksNeverEmpty();
  const state: RiskState = { riskId: input.riskId, status: 'open' };
  const holdName = `risk-${input.riskId}`;
  const event = auditEvents({
    type: 'risk',
    id: input.riskId,
    cycleId: input.cycleId ?? null,
    jurisdictionId: input.jurisdictionId,
  });
  const deadlines = keepDeadlineAttributes(() => riskDeadlineView(state, input.deadline));
  /** Set once the hold is placed or found needless: registration waits for it (holdPlacedUpdate). */
  let holdPlaced: HoldPlaced | undefined;

  // ---- messages
  setHandler(getRiskQuery, () => state);
  setHandler(holdPlacedUpdate, async () => {
    await condition(() => holdPlaced !== undefined);
    return holdPlaced!;
  });
  setHandler(resolveRiskUpdate, resolve, {
    validator: (raw, _actor) =>
      guard(() => {
        resolveRiskSchema().parse(raw);
        if (state.status === 'resolved')
          throw new DomainError(ErrorType.Closed, `risk ${input.riskId} is already resolved`);
      }),
  });

  // ---- the story
  await holdTheCycle();
  await superviseUntilResolved();
  await condition(allHandlersFinished);
  deadlines.settle();
  return state;

  // ---- steps

  /** The stage's gate in the affected cycle stays shut while the risk is open. */
  async function holdTheCycle() {
    if (!input.cycleId) {
      holdPlaced = { state: 'none', why: 'the risk names no cycle' };
      return;
    }
    const held = await cycles.holdCycle(
      input.cycleId,
      { name: holdName, reason: `高风险隐患督办中（${input.stage}）`, source: 'risk', stage: input.stage },
      SYSTEM,
    );
    if (held.done) state.hold = holdName;
    holdPlaced = holdPlacedFrom(holdName, held);
  }

  /** Until resolved; past the upper level's deadline, overdue, then escalated. */
  async function superviseUntilResolved() {
    const resolved = () => state.status === 'resolved';
    if (input.deadline !== null) {
      const deadline = input.deadline;
      const late = (kind: 'overdue' | 'escalated') => async (at: number) => {
        await records.markRiskLate(input.riskId, input.jurisdictionId, kind, at, event(`risk.${kind}`, SYSTEM, {}));
        if (kind === 'overdue') state.overdueAt = at;
        else state.escalatedAt = at;
      };
      await overdueThenEscalate({
        done: resolved,
        deadline,
        escalateAt: () => escalationPoint(input.calendar, deadline, input.escalateAfterWorkingDays),
        summaries: { deadline: '督办期限', escalation: '督办逾期升级' },
        overdue: late('overdue'),
        escalated: late('escalated'),
      });
    }
    await condition(resolved);
  }

  /** Resolved: on the record, and the cycle's gate released. */
  async function resolve(raw: { resolution: string }, actor: Actor): Promise<RiskState> {
    const r = resolveRiskSchema().parse(raw);
    state.status = 'resolved';
    state.resolution = r.resolution;
    await records.resolveRisk(input.riskId, r.resolution, actor.id, Date.now(), event('risk.resolved', actor, {}));
    if (input.cycleId && state.hold)
      await cycles.releaseHold(input.cycleId, holdName, `风险已化解：${r.resolution}`, actor);
    return state;
  }
}
