/**
 * A report (举报), from registration to closure (办结). A report on a candidate or nominee of a
 * running cycle holds that person at once (置顶办理), so no stage — publicity included — closes over
 * an open report. Triage sets the deadline on the working-day calendar; a report still open at its
 * deadline is marked overdue and the unit chased, and one working day later escalated to the upper
 * level: nothing times out silently. The verification unit's finding decides the effect: substantiated
 * or partly ends the candidacy (the next shortlisted moves up), unsubstantiated releases the person
 * with a clarification (澄清), malicious is recorded and referred and the target cleared.
 *
 * The workflow never holds the reporter's identity or the report's text: they stay sealed in Postgres.
 */
import { beijingDeadlineText } from '../domain/beijing.js';
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createCycleGatewayActivities, GatewayResult } from '../activities/cycle-gateway.js';
import type { createReportActivities } from '../activities/reports.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import * as R from '../domain/reports.js';
import type { Actor } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import { calendarGap, escalationPoint } from './deadlines.js';
import { guard } from './guard.js';
import {
  getReportQuery,
  submitFindingUpdate,
  triageReportUpdate,
  type ReportInput,
  type ReportState,
} from './contracts/report.js';
import { projection } from './projection.js';
import { RECORD_RETRY, auditEvents } from './record.js';

// ---- activities -------------------------------------------------------------------------------

const ledger = proxyActivities<ReturnType<typeof createReportActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const cycles = proxyActivities<ReturnType<typeof createCycleGatewayActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});

// ---- the workflow -----------------------------------------------------------------------------

export async function reportWorkflow(input: ReportInput): Promise<ReportState> {
  const auto = R.autoTriage(input.target as R.ReportTarget, input.category);
  const state: ReportState = {
    reportId: input.reportId,
    status: 'verifying',
    triage: auto.kind,
    triageRule: auto.rule,
    unit: '查核组',
    waitingFor: '',
  };
  const holdName = `report-${input.reportId}`;
  const cycleId = input.target.type === 'candidate' ? input.target.cycleId : null;
  let version = 0;
  const event = auditEvents({ type: 'report', id: input.reportId, cycleId, jurisdictionId: input.jurisdictionId });
  // The state as GET /v1/reports/{id} reads it from Postgres (its `live`).
  const projected = projection(() => state, []);

  setHandler(getReportQuery, () => state);
  setHandler(
    triageReportUpdate,
    async (raw, actor) => {
      const t = R.triageSchema().parse(raw);
      const before = { ...state };
      state.triage = t.kind;
      state.triageRule = `re-triaged by ${actor.id}: ${t.reason}`;
      if (t.unit) state.unit = t.unit;
      computeDeadline();
      version++;
      projected.changed();
      await undoneOnFailure(before, () => recordTriage(actor));
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          R.triageSchema().parse(raw);
          R.checkOpenReport(state.status);
        }),
    },
  );
  setHandler(
    submitFindingUpdate,
    async (raw, actor) => {
      // Validators do not run on replay: an update accepted before summaries were sealed first
      // replays here with its summary, and goes to the same activity as before.
      const f = 'summaryRef' in raw ? R.findingMessageSchema().parse(raw) : R.findingSchema().parse(raw);
      const before = { ...state };
      state.finding = f.finding;
      if (f.consequence) state.consequence = f.consequence;
      version++;
      projected.changed();
      await undoneOnFailure(before, () => applyFinding(f, actor));
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          // Only a reference: the summary itself must never enter this workflow's history.
          R.findingMessageSchema().parse(raw);
          R.checkOpenReport(state.status);
          if (state.finding)
            throw new DomainError(ErrorType.Duplicate, `a finding (${state.finding}) is already recorded`);
        }),
    },
  );

  // 置顶办理: a candidate or nominee under report is held before anything else happens.
  if (input.target.type === 'candidate') {
    const held = await cycles.holdPerson(
      input.target.cycleId,
      input.target.personId,
      { name: holdName, reason: `举报待核查（${R.CATEGORIES[input.category]}）`, source: 'report' },
      SYSTEM,
    );
    state.hold = held.done ? holdName : `none: ${held.why}`;
  }
  computeDeadline();
  await recordTriage(SYSTEM);

  const watch = new CancellationScope();
  const watching = watch.run(watchDeadline).catch(() => undefined);
  if (patched('report-closed-only-when-recorded')) {
    // Closed only once the closing is written: a finding whose record failed is undone
    // (undoneOnFailure), and the report must go on waiting for the next one.
    await condition(() => state.status === 'closed' && allHandlersFinished());
    watch.cancel();
    await watching;
  } else {
    await condition(() => state.status === 'closed');
    watch.cancel();
    await watching;
    await condition(allHandlersFinished);
  }
  return state;

  // ---- steps ---------------------------------------------------------------------------------

  /**
   * An input whose record could not be written (a permanent failure: the activity is not retried)
   * is undone in the workflow too, so the report never claims a triage or a closing that Postgres
   * does not hold; the caller's Update fails and says so. Only failure paths differ from before,
   * and those never completed in an older history (the activity retried forever), so no patch.
   */
  async function undoneOnFailure(before: ReportState, act: () => Promise<void>) {
    try {
      await act();
    } catch (e) {
      for (const k of Object.keys(state) as (keyof ReportState)[]) if (!(k in before)) delete state[k];
      Object.assign(state, before);
      version++;
      describe();
      throw e;
    }
  }

  function computeDeadline() {
    try {
      state.deadline = R.reportDeadline(state.triage, input.receivedAt, input.policy);
    } catch (e) {
      // Without calendar data the deadline is unknown (deadlines.ts): said so; the ledger shows the report open.
      state.deadline = undefined;
      state.waitingFor = `期限无法计算：${calendarGap(e)}`;
    }
    describe();
  }

  function describe() {
    projected.changed();
    if (state.status === 'verifying') {
      state.waitingFor =
        state.deadline === undefined
          ? state.waitingFor
          : `待${state.unit}查核，${R.TRIAGE[state.triage]}，期限 ${beijingDeadlineText(state.deadline)}`;
    }
    setCurrentDetails(
      `举报 ${input.reportId} · ${R.CATEGORIES[input.category]} · ${state.status === 'closed' ? `已办结（${R.FINDINGS[state.finding!]}）` : state.waitingFor}`,
    );
    upsertSearchAttributes([
      { key: SA.status, value: state.status },
      { key: SA.overdue, value: state.overdueAt !== undefined && state.status !== 'closed' },
      { key: SA.jurisdiction, value: input.jurisdictionId },
      ...(state.deadline !== undefined ? [{ key: SA.deadline, value: new Date(state.deadline) }] : []),
    ]);
  }

  async function recordTriage(actor: Actor) {
    await ledger.recordReportTriage(
      input.reportId,
      {
        triage: state.triage,
        rule: state.triageRule,
        unit: state.unit,
        deadline: state.deadline ?? null,
        hold: state.hold ?? 'none',
      },
      event('report.triaged', actor, {
        triage: state.triage,
        rule: state.triageRule,
        deadline: state.deadline,
        hold: state.hold,
      }),
    );
  }

  /** Overdue at the deadline (the unit is chased); escalated to the upper level a working day later. */
  async function watchDeadline() {
    for (;;) {
      const seen = version;
      const deadline = state.deadline;
      if (deadline === undefined) {
        await condition(() => version !== seen);
        continue;
      }
      const due = state.overdueAt === undefined ? deadline : escalationPoint(input.policy.calendar, deadline, 1);
      const changed = await condition(() => version !== seen, Math.max(0, due - Date.now()), {
        summary: state.overdueAt === undefined ? '办结期限' : '逾期升级',
      });
      if (changed) continue;
      if (state.overdueAt === undefined) {
        state.overdueAt = Date.now();
        describe();
        await ledger.markReportLate(
          input.reportId,
          'overdue',
          Date.now(),
          `unit:${state.unit}`,
          event('report.overdue', SYSTEM, { deadline }),
        );
      } else {
        state.escalatedAt = Date.now();
        describe();
        await ledger.markReportLate(
          input.reportId,
          'escalated',
          Date.now(),
          'upper-level',
          event('report.escalated', SYSTEM, { deadline }),
        );
        return;
      }
    }
  }

  async function applyFinding(f: R.FindingMessage | R.FindingInput, actor: Actor) {
    const effect = R.effectOf(f);
    let outcome: GatewayResult | undefined;
    if (input.target.type === 'candidate') {
      const { cycleId: c, personId } = input.target;
      if (effect === 'stop') {
        outcome = await cycles.stopCandidacy(
          c,
          personId,
          `举报${R.FINDINGS[f.finding]}：${R.CONSEQUENCES[f.consequence!]}`,
          holdName,
          actor,
        );
      }
      if (state.hold === holdName) {
        const resolution =
          effect === 'clarify'
            ? '举报不属实，予以澄清'
            : effect === 'refer'
              ? '恶意举报，已移送，对象予以澄清'
              : `举报${R.FINDINGS[f.finding]}，已处理`;
        await cycles.releaseHold(c, holdName, resolution, actor);
      }
    }
    state.effect =
      effect === 'stop'
        ? `candidacy: ${outcome ? (outcome.done ? outcome.what : `not applicable (${outcome.why})`) : 'no candidacy'}`
        : effect === 'clarify'
          ? '澄清 (clarification) recorded for the target'
          : effect === 'refer'
            ? '恶意举报 recorded and referred; target cleared'
            : 'none';
    state.status = 'closed';
    state.closedAt = Date.now();
    state.closedOnTime = state.deadline === undefined ? false : state.closedAt <= state.deadline;
    describe();
    await ledger.closeReport(
      input.reportId,
      {
        finding: f.finding,
        consequence: f.consequence ?? null,
        ...('summaryRef' in f ? { summaryRef: f.summaryRef } : { summary: f.summary }),
        effect: state.effect,
        closedAt: state.closedAt,
        onTime: state.closedOnTime,
      },
      event(effect === 'clarify' ? 'report.clarified' : 'report.closed', actor, {
        finding: f.finding,
        consequence: f.consequence,
        effect: state.effect,
        onTime: state.closedOnTime,
      }),
    );
  }
}
