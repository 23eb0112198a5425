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
import { resolveRiskSchema } from '../domain/supervision.js';
import { keepDeadlineAttributes } from './deadline-attributes.js';
import { escalationPoint, overdueThenEscalate } from './deadlines.js';
import { riskDeadlineView } from './deadline-views.js';
import { guard } from './guard.js';
import { getRiskQuery, resolveRiskUpdate, type RiskState, type RiskWorkflowInput } from './contracts/risk.js';
import { RECORD_RETRY, auditEvents } from './record.js';

const records = proxyActivities<ReturnType<typeof createSupervisionActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const cycles = proxyActivities<ReturnType<typeof createCycleGatewayActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});

export async function riskWorkflow(input: RiskWorkflowInput): Promise<RiskState> {
  const state: RiskState = { riskId: input.riskId, status: 'open' };
  const event = auditEvents({
    type: 'risk',
    id: input.riskId,
    cycleId: input.cycleId ?? null,
    jurisdictionId: input.jurisdictionId,
  });
  const holdName = `risk-${input.riskId}`;
  const deadlines = keepDeadlineAttributes(() => riskDeadlineView(state, input.deadline));

  setHandler(getRiskQuery, () => state);
  setHandler(
    resolveRiskUpdate,
    async (raw, actor) => {
      const r = resolveRiskSchema().parse(raw);
      state.status = 'resolved';
      state.resolution = r.resolution;
      await records.resolveRisk(input.riskId, r.resolution, actor.id, Date.now(), event('risk.resolved', actor, {}));
      if (input.cycleId && state.hold)
        await cycles.releaseHold(input.cycleId, holdName, `风险已化解：${r.resolution}`, actor);
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          resolveRiskSchema().parse(raw);
          if (state.status === 'resolved')
            throw new DomainError(ErrorType.Closed, `risk ${input.riskId} is already resolved`);
        }),
    },
  );

  if (input.cycleId) {
    const held = await cycles.holdCycle(
      input.cycleId,
      { name: holdName, reason: `高风险隐患督办中（${input.stage}）`, source: 'risk', stage: input.stage },
      SYSTEM,
    );
    if (held.done) state.hold = holdName;
  }
  if (input.deadline !== null) {
    const deadline = input.deadline;
    await overdueThenEscalate({
      done: () => state.status === 'resolved',
      deadline,
      escalateAt: () => escalationPoint(input.calendar, deadline, input.escalateAfterWorkingDays),
      summaries: { deadline: '督办期限', escalation: '督办逾期升级' },
      overdue: async (at) => {
        await records.markRiskLate(
          input.riskId,
          input.jurisdictionId,
          'overdue',
          at,
          event('risk.overdue', SYSTEM, {}),
        );
        state.overdueAt = at;
      },
      escalated: async (at) => {
        await records.markRiskLate(
          input.riskId,
          input.jurisdictionId,
          'escalated',
          at,
          event('risk.escalated', SYSTEM, {}),
        );
        state.escalatedAt = at;
      },
    });
  }
  await condition(() => state.status === 'resolved');
  await condition(allHandlersFinished);
  deadlines.settle();
  return state;
}
