/**
 * Conduct supervision of one cycle (换届风气监督), a child of the cycle. Three checkpoints open as the
 * cycle reaches launch, inspection and the election; each is due a few working days later and, if
 * not filed, is marked overdue and escalated — never skipped. The team files the five checks (五查)
 * with findings; each finding may open a rectification (整改) with an owner and a deadline, chased
 * and escalated when late; an open high-severity finding holds the cycle's gate until its
 * rectification is accepted. Monitoring points (百点监测) report four indicator scores.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createCycleGatewayActivities } from '../activities/cycle-gateway.js';
import type { createSupervisionActivities } from '../activities/supervision.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import type { Stage } from '../domain/stages.js';
import * as V from '../domain/supervision.js';
import { keepDeadlineAttributes } from './deadline-attributes.js';
import { escalationPoint, overdueThenEscalate, workingDeadline } from './deadlines.js';
import { supervisionDeadlineView } from './deadline-views.js';
import { guard } from './guard.js';
import {
  acceptRectificationUpdate,
  cycleStageSignal,
  fileCheckpointUpdate,
  getSupervisionQuery,
  recordMonitoringUpdate,
  type CheckpointState,
  type FindingState,
  type MonitoringInputScores,
  type SupervisionInput,
  type SupervisionState,
} from './contracts/supervision.js';
import { RECORD_RETRY, auditEvents } from './record.js';

// ---- activities -------------------------------------------------------------------------------

const records = proxyActivities<ReturnType<typeof createSupervisionActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const cycles = proxyActivities<ReturnType<typeof createCycleGatewayActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});

// ---- the workflow -----------------------------------------------------------------------------

export async function supervisionWorkflow(input: SupervisionInput): Promise<SupervisionState> {
  const state: SupervisionState = {
    cycleId: input.cycleId,
    cycleStage: 'launch',
    checkpoints: [],
    findings: [],
    monitoring: {},
  };
  const deadlines = keepDeadlineAttributes(() => supervisionDeadlineView(state));
  const calendar = input.policy.calendar;
  const rules = input.policy.supervision;
  /** Each point's latest scores per stage: a point filing again replaces its scores (as the record does), not adds. */
  const monitoringByPoint: Record<string, Record<string, MonitoringInputScores>> = {};
  const event = auditEvents({
    type: 'supervision',
    id: input.cycleId,
    cycleId: input.cycleId,
    jurisdictionId: input.jurisdictionId,
  });
  setHandler(getSupervisionQuery, () => state);
  setHandler(cycleStageSignal, (stage) => {
    state.cycleStage = stage;
  });

  setHandler(
    fileCheckpointUpdate,
    async (raw, actor) => {
      const { phase, ...rest } = raw;
      const i = V.checkpointSchema().parse(rest);
      const cp = state.checkpoints.find((c) => c.phase === phase)!;
      const now = Date.now();
      cp.filedAt = now;
      cp.filedBy = actor.id;
      const filed: FindingState[] = i.findings.map((f, n) => ({
        id: `${input.cycleId}/${phase}/F${n + 1}`,
        phase,
        severity: f.severity,
        description: f.description,
        status: f.rectification ? 'rectifying' : 'recorded',
        ...(f.rectification ? { owner: f.rectification.owner } : {}),
        ...(f.rectification
          ? (() => {
              const d = workingDeadline(calendar, now, f.rectification.deadlineWorkingDays).at;
              return d === undefined ? {} : { deadline: d };
            })()
          : {}),
      }));
      state.findings.push(...filed);
      await records.fileCheckpoint(
        input.cycleId,
        phase,
        i,
        filed.map((f) => ({
          id: f.id,
          severity: f.severity,
          description: f.description,
          owner: f.owner ?? null,
          deadline: f.deadline ?? null,
        })),
        actor.id,
        now,
        event('checkpoint.filed', actor, {
          phase,
          findings: filed.map((f) => [f.id, f.severity]),
          deficient: Object.entries(i.checklist)
            .filter(([, v]) => v.status === 'deficient')
            .map(([k]) => k),
        }),
      );
      // An open high-severity finding holds the gate the cycle stands at, until its rectification is accepted.
      for (const f of filed.filter((x) => x.severity === 'high')) {
        const held = await cycles.holdCycle(
          input.cycleId,
          {
            name: `finding-${f.id.replace(/[^A-Za-z0-9:_.-]/g, '-')}`,
            reason: `高严重度督查问题待整改：${f.description}`,
            source: 'supervision',
            stage: state.cycleStage,
          },
          actor,
        );
        if (held.done) f.holds = `finding-${f.id.replace(/[^A-Za-z0-9:_.-]/g, '-')}`;
      }
      for (const f of filed.filter((x) => x.deadline !== undefined)) void watchRectification(f);
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          const { phase, ...rest } = raw as { phase?: unknown };
          if (!Object.keys(V.PHASES).includes(String(phase)))
            throw new DomainError(ErrorType.Validation, 'phase must be launch, inspection or election', [
              { path: 'phase', rule: 'launch | inspection | election' },
            ]);
          const cp = state.checkpoints.find((c) => c.phase === phase);
          if (!cp)
            throw new DomainError(
              ErrorType.WrongStage,
              `the ${String(phase)} checkpoint has not opened yet (it opens at the cycle's ${V.PHASE_OPENS_AT[phase as V.Phase]} stage)`,
            );
          V.checkCheckpointFiling(
            V.checkpointSchema().parse(rest),
            cp.agenda,
            cp.filedAt !== undefined,
            phase as V.Phase,
          );
        }),
    },
  );

  setHandler(
    acceptRectificationUpdate,
    async (raw, actor) => {
      const a = V.acceptRectificationSchema().parse(raw);
      const f = state.findings.find((x) => x.id === a.findingId)!;
      f.status = 'accepted';
      await records.acceptRectification(
        f.id,
        actor.id,
        a.note,
        Date.now(),
        event('rectification.accepted', actor, { findingId: f.id }),
      );
      if (f.holds) await cycles.releaseHold(input.cycleId, f.holds, `整改验收通过：${a.note}`, actor);
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          const a = V.acceptRectificationSchema().parse(raw);
          const f = state.findings.find((x) => x.id === a.findingId);
          if (!f)
            throw new DomainError(ErrorType.NotFound, `no finding ${a.findingId}`, [
              { path: 'findingId', rule: 'a finding of this cycle' },
            ]);
          if (f.status !== 'rectifying')
            throw new DomainError(
              ErrorType.Closed,
              `finding ${a.findingId} is ${f.status}; only a rectification can be accepted`,
            );
        }),
    },
  );

  setHandler(
    recordMonitoringUpdate,
    async (raw, actor) => {
      const m = V.monitoringSchema().parse(raw);
      const stage = state.cycleStage;
      const byPoint = (monitoringByPoint[stage] ??= {});
      byPoint[m.point] = m.scores;
      const all = Object.values(byPoint);
      const entry = (state.monitoring[stage] ??= {
        points: 0,
        averages: { selection: 0, correction: 0, discipline: 0, conduct: 0 },
      });
      entry.points = all.length;
      for (const k of ['selection', 'correction', 'discipline', 'conduct'] as const) {
        const sum = all.reduce((a, x) => a + x[k], 0);
        entry.averages[k] = Math.round((sum / entry.points) * 10) / 10;
      }
      await records.recordMonitoring(
        input.cycleId,
        stage,
        m,
        actor.id,
        Date.now(),
        event('monitoring.recorded', actor, { point: m.point, stage }),
      );
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          V.monitoringSchema().parse(raw);
        }),
    },
  );

  // The checkpoints open with the cycle's stages; the cycle says when it is closed.
  for (const phase of Object.keys(V.PHASES) as V.Phase[]) {
    await condition(() => reached(V.PHASE_OPENS_AT[phase]) || state.cycleStage === 'closed');
    if (state.cycleStage === 'closed' && !reached(V.PHASE_OPENS_AT[phase])) break;
    void openCheckpoint(phase);
  }
  await condition(() => state.cycleStage === 'closed');
  await condition(allHandlersFinished);
  deadlines.settle();
  return state;

  // ---- steps ---------------------------------------------------------------------------------

  function reached(stage: Stage) {
    const order = [
      'launch',
      'analysis',
      'recommendation',
      'inspection',
      'decision',
      'publicity',
      'approval',
      'election',
      'closed',
    ];
    return order.indexOf(state.cycleStage) >= order.indexOf(stage);
  }

  /** A rectification not accepted by its deadline: the owner is chased, then the upper level told. */
  async function watchRectification(f: FindingState) {
    const deadline = f.deadline!;
    await overdueThenEscalate({
      done: () => f.status === 'accepted',
      deadline,
      escalateAt: () => escalationPoint(calendar, deadline, rules.escalateAfterWorkingDays),
      summaries: { deadline: '整改期限', escalation: '整改逾期升级' },
      overdue: async (at) => {
        const detail = { findingId: f.id };
        await records.markRectificationLate(
          f.id,
          input.jurisdictionId,
          'overdue',
          at,
          event('rectification.overdue', SYSTEM, detail),
        );
        f.overdueAt = at;
      },
      escalated: async (at) => {
        const detail = { findingId: f.id };
        await records.markRectificationLate(
          f.id,
          input.jurisdictionId,
          'escalated',
          at,
          event('rectification.escalated', SYSTEM, detail),
        );
        f.escalatedAt = at;
      },
    });
  }

  async function openCheckpoint(phase: V.Phase) {
    const openedAt = Date.now();
    // A year the calendar lacks leaves the checkpoint without a deadline (see deadlines.ts); the cycle holds on the same gap.
    const deadline = workingDeadline(calendar, openedAt, rules.checkpointWorkingDays).at;
    // The checkpoint is shown (and can be filed) once its agenda is fixed.
    const agenda = await records.openCheckpoint(
      input.cycleId,
      input.jurisdictionId,
      phase,
      openedAt,
      deadline ?? null,
      event('checkpoint.opened', SYSTEM, { phase, deadline }),
    );
    const cp: CheckpointState = { phase, openedAt, agenda, ...(deadline !== undefined ? { deadline } : {}) };
    state.checkpoints.push(cp);
    if (deadline === undefined) return;
    // Not filed by the deadline: overdue and the team chased; a while later, escalated. Still to be filed.
    await overdueThenEscalate({
      done: () => cp.filedAt !== undefined,
      deadline,
      escalateAt: () => escalationPoint(calendar, deadline, rules.escalateAfterWorkingDays),
      summaries: { deadline: `${V.PHASES[phase]} 督查期限`, escalation: `${V.PHASES[phase]} 督查逾期升级` },
      overdue: async (at) => {
        await records.markCheckpointLate(
          input.cycleId,
          input.jurisdictionId,
          phase,
          'overdue',
          at,
          event('checkpoint.overdue', SYSTEM, { phase }),
        );
        cp.overdueAt = at;
      },
      escalated: async (at) => {
        await records.markCheckpointLate(
          input.cycleId,
          input.jurisdictionId,
          phase,
          'escalated',
          at,
          event('checkpoint.escalated', SYSTEM, { phase }),
        );
        cp.escalatedAt = at;
      },
    });
  }
}
