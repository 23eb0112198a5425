/**
 * Conduct supervision of one cycle (换届风气监督), a child of the cycle. Three checkpoints open as the
 * cycle reaches launch, inspection and the election; each is due a few working days later and, if
 * not filed, is marked overdue and escalated — never skipped. The team files the five checks (五查)
 * with findings; each finding may open a rectification (整改) with an owner and a deadline, chased
 * and escalated when late; an open high-severity finding holds the cycle's gate until its
 * rectification is accepted. Monitoring points (百点监测) report four indicator scores.
 *
 * The workflow function is the message API and the story; `Supervision` below holds the entity.
 */
import { allHandlersFinished, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createCycleGatewayActivities } from '../activities/cycle-gateway.js';
import type { createSupervisionActivities } from '../activities/supervision.js';
import type { YearOverride } from '../domain/calendar.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { RISK_ID } from '../domain/ids.js';
import { SYSTEM } from '../domain/events.js';
import type { Actor } from '../domain/schemas.js';
import { STAGES, type Stage } from '../domain/stages.js';
import * as V from '../domain/supervision.js';
import {
  acceptRectificationUpdate,
  cycleStageSignal,
  fileCheckpointUpdate,
  getSupervisionQuery,
  recordMonitoringUpdate,
  supervisionCalendarYearSignal,
  takeRiskUpdate,
  type AgendaAnswer,
  type CheckpointState,
  type FindingState,
  type MonitoringInputScores,
  type SupervisionInput,
  type SupervisionState,
} from './contracts/supervision.js';
import { projection } from './projection.js';
import { keepDeadlineAttributes, type DeadlineAttributes } from './deadline-attributes.js';
import { supervisionDeadlineView } from './deadline-views.js';
import { escalationPoint, overdueThenEscalate, workingDeadline } from './deadlines.js';
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

export async function supervisionWorkflow(input: SupervisionInput): Promise<SupervisionState> {
  askTasksNeverEmpty();
  const supervision = new Supervision(input);

  // ---- messages
  setHandler(getSupervisionQuery, () => supervision.state);
  setHandler(cycleStageSignal, (stage) => supervision.cycleEntered(stage));
  setHandler(supervisionCalendarYearSignal, (year) => supervision.addCalendarYear(year));
  setHandler(fileCheckpointUpdate, (filing, actor, stage?: Stage) => supervision.fileCheckpoint(filing, actor, stage), {
    validator: (filing, _actor, stage?: Stage) => supervision.vetFiling(filing, stage),
  });
  setHandler(acceptRectificationUpdate, (acceptance, actor) => supervision.acceptRectification(acceptance, actor), {
    validator: (acceptance, _actor) => supervision.vetAcceptance(acceptance),
  });
  setHandler(
    recordMonitoringUpdate,
    (report, actor, stage?: Stage) => supervision.recordMonitoring(report, actor, stage),
    {
      validator: (report, _actor, stage?: Stage) =>
        guard(() => {
          V.monitoringSchema().parse(report);
          vetStage(stage);
        }),
    },
  );

  setHandler(takeRiskUpdate, (riskId) => supervision.takeRisk(riskId), {
    validator: (riskId) =>
      guard(() => {
        if (typeof riskId !== 'string' || !RISK_ID.test(riskId))
          throw new DomainError(ErrorType.Validation, 'riskId must be a registered risk id', [
            { path: 'riskId', rule: 'K- and 12 hex digits' },
          ]);
      }),
  });

  // ---- the story: each checkpoint opens as the cycle reaches its stage, until the cycle ends.
  for (const phase of Object.keys(V.PHASES) as V.Phase[]) {
    if (!(await supervision.cycleReaches(V.PHASE_OPENS_AT[phase]))) break;
    void supervision.openCheckpoint(phase);
  }
  return supervision.finish();
}

class Supervision {
  readonly state: SupervisionState;
  /** Checkpoints whose opening (its record and agenda) is under way: not yet in the state. */
  private opening = 0;
  /** The furthest stage the cycle has entered; `state.cycleStage` becomes 'closed' at the end. */
  private furthest: Stage = 'launch';
  /** Each point's latest scores per stage: a point filing again replaces its scores (as the record does), not adds. */
  private readonly monitoringByPoint: Record<string, Record<string, MonitoringInputScores>> = {};
  private readonly event: ReturnType<typeof auditEvents>;
  private readonly deadlines: DeadlineAttributes;
  /** Readers see the state from Postgres (api: GET …/supervision), never by a query that waits on a worker. */
  private readonly projected = projection(() => this.state, []);

  constructor(private readonly input: SupervisionInput) {
    this.state = { cycleId: input.cycleId, cycleStage: 'launch', checkpoints: [], findings: [], monitoring: {} };
    this.event = auditEvents({
      type: 'supervision',
      id: input.cycleId,
      cycleId: input.cycleId,
      jurisdictionId: input.jurisdictionId,
    });
    this.deadlines = keepDeadlineAttributes(() => supervisionDeadlineView(this.state));
  }

  private get calendar() {
    return this.input.policy.calendar;
  }

  private get rules() {
    return this.input.policy.supervision;
  }

  /** A year the calendar lacked, supplied to the cycle: deadlines that fell in it can be computed now. */
  addCalendarYear(year: YearOverride) {
    const calendar = this.calendar;
    if (calendar.kind === 'cn' && !calendar.overrides.some((o) => o.year === year.year)) calendar.overrides.push(year);
  }

  // ---- the cycle's stages ----------------------------------------------------------------------

  cycleEntered(stage: Stage) {
    this.state.cycleStage = stage;
    if (stage !== 'closed' && STAGES.indexOf(stage) > STAGES.indexOf(this.furthest)) this.furthest = stage;
    this.projected.changed();
  }

  /** Waits until the cycle has entered `stage` (true) or has ended without reaching it (false). */
  async cycleReaches(stage: Stage): Promise<boolean> {
    const reached = () => STAGES.indexOf(this.furthest) >= STAGES.indexOf(stage);
    await condition(() => reached() || this.state.cycleStage === 'closed');
    return reached();
  }

  /**
   * Once the cycle has ended, every checkpoint opened is filed and every rectification accepted, and
   * every handler is done: the final state. The election's checkpoint opens at the election, which
   * may close the cycle at once, and is filed after it; a finding filed as the cycle closes holds no
   * gate but is still to be rectified — found from outside, where supervision ended with the cycle
   * and took neither (patch `supervision-outlives-the-cycle`, asked only when such work is open, so
   * other histories are unchanged). Its deadlines keep being watched meanwhile.
   */
  async finish(): Promise<SupervisionState> {
    await condition(() => this.state.cycleStage === 'closed');
    if (this.workOpen() && patched('supervision-outlives-the-cycle')) await condition(() => !this.workOpen());
    await condition(allHandlersFinished);
    this.deadlines.settle();
    return this.state;
  }

  /** A checkpoint opening, or opened and not filed, or a rectification not yet accepted. */
  private workOpen(): boolean {
    return (
      this.opening > 0 ||
      this.state.checkpoints.some((c) => c.filedAt === undefined) ||
      this.state.findings.some((f) => f.status === 'rectifying')
    );
  }

  // ---- checkpoints -----------------------------------------------------------------------------

  /**
   * A medium risk goes on the next checkpoint's agenda. Each checkpoint fixes its agenda as it opens
   * (the open medium risks on the record); one registered after the election's checkpoint opened had
   * no next checkpoint and went on none (found from outside). It joins that last checkpoint's agenda
   * while it is unfiled. A risk the opening already took answers where it is.
   */
  async takeRisk(riskId: string): Promise<AgendaAnswer> {
    await condition(() => this.opening === 0);
    const on = this.state.checkpoints.find((c) => c.agenda.includes(riskId));
    if (on) return { phase: on.phase };
    const last = this.state.checkpoints.find((c) => c.phase === 'election');
    if (last === undefined)
      return this.state.cycleStage === 'closed'
        ? { why: 'the cycle ended before its election: no checkpoint remains; resolve the risk by hand' }
        : { why: 'the next checkpoint to open takes it on its agenda' };
    if (last.filedAt !== undefined)
      return { why: "the election's checkpoint is filed: no checkpoint remains; resolve the risk by hand" };
    last.agenda.push(riskId);
    this.projected.changed();
    await records.addToAgenda(
      this.input.cycleId,
      last.phase,
      riskId,
      this.event('checkpoint.agenda-added', SYSTEM, { phase: last.phase, riskId }),
    );
    return { phase: last.phase };
  }

  /**
   * Opens a checkpoint (shown, and open to filing, once its agenda is fixed). Not filed by its
   * deadline: overdue and the team chased; a while later, escalated. Still to be filed.
   */
  async openCheckpoint(phase: V.Phase) {
    const openedAt = Date.now();
    // A year the calendar lacks leaves the checkpoint without a deadline (see deadlines.ts); the cycle holds on the same gap.
    const deadline = workingDeadline(this.calendar, openedAt, this.rules.checkpointWorkingDays).at;
    this.opening++;
    const agenda = await records
      .openCheckpoint(
        this.input.cycleId,
        this.input.jurisdictionId,
        phase,
        openedAt,
        deadline ?? null,
        this.event('checkpoint.opened', SYSTEM, { phase, deadline }),
      )
      .finally(() => this.opening--);
    const cp: CheckpointState = { phase, openedAt, agenda, ...(deadline !== undefined ? { deadline } : {}) };
    this.state.checkpoints.push(cp);
    this.projected.changed();
    if (deadline === undefined) await this.deadlineOnceKnown(cp);
    if (cp.deadline === undefined) return;
    await this.watchCheckpoint(cp);
  }

  /**
   * A checkpoint due in a year the calendar lacks waits for the cycle to be given that year (an
   * organizer's calendar-years), then is due as if it had been known at its opening. Before, it
   * stayed without a deadline for good (found from outside). The cycle ending first ends the wait.
   */
  private async deadlineOnceKnown(cp: CheckpointState) {
    const due = () => workingDeadline(this.calendar, cp.openedAt, this.rules.checkpointWorkingDays).at;
    await condition(() => due() !== undefined || this.state.cycleStage === 'closed');
    const deadline = due();
    if (deadline === undefined) return;
    cp.deadline = deadline;
    this.projected.changed();
    await records.setCheckpointDeadline(
      this.input.cycleId,
      cp.phase,
      deadline,
      this.event('checkpoint.deadline-known', SYSTEM, { phase: cp.phase, deadline }),
    );
  }

  private async watchCheckpoint(cp: CheckpointState) {
    const { phase } = cp;
    const deadline = cp.deadline!;
    const late = (kind: 'overdue' | 'escalated') => async (at: number) => {
      await records.markCheckpointLate(
        this.input.cycleId,
        this.input.jurisdictionId,
        phase,
        kind,
        at,
        this.event(`checkpoint.${kind}`, SYSTEM, { phase }),
      );
      if (kind === 'overdue') cp.overdueAt = at;
      else cp.escalatedAt = at;
      this.projected.changed();
    };
    await overdueThenEscalate({
      done: () => cp.filedAt !== undefined,
      deadline,
      escalateAt: () => escalationPoint(this.calendar, deadline, this.rules.escalateAfterWorkingDays),
      summaries: { deadline: `${V.PHASES[phase]} 督查期限`, escalation: `${V.PHASES[phase]} 督查逾期升级` },
      overdue: late('overdue'),
      escalated: late('escalated'),
    });
  }

  vetFiling(raw: V.CheckpointInput & { phase: V.Phase }, stage: Stage | undefined) {
    guard(() => {
      vetStage(stage);
      const { phase, ...rest } = raw as { phase?: unknown };
      if (!Object.keys(V.PHASES).includes(String(phase)))
        throw new DomainError(ErrorType.Validation, 'phase must be launch, inspection or election', [
          { path: 'phase', rule: 'launch | inspection | election' },
        ]);
      const cp = this.state.checkpoints.find((c) => c.phase === phase);
      if (!cp)
        throw new DomainError(
          ErrorType.WrongStage,
          `the ${String(phase)} checkpoint has not opened yet (it opens at the cycle's ${V.PHASE_OPENS_AT[phase as V.Phase]} stage)`,
        );
      V.checkCheckpointFiling(V.checkpointSchema().parse(rest), cp.agenda, cp.filedAt !== undefined, phase as V.Phase);
    });
  }

  /** The five checks filed with their findings: on the record, high ones holding the gate, rectifications watched. */
  async fileCheckpoint(
    raw: V.CheckpointInput & { phase: V.Phase },
    actor: Actor,
    stage: Stage | undefined,
  ): Promise<SupervisionState> {
    const { phase, ...rest } = raw;
    const filing = V.checkpointSchema().parse(rest);
    const cp = this.state.checkpoints.find((c) => c.phase === phase)!;
    const now = Date.now();
    cp.filedAt = now;
    cp.filedBy = actor.id;
    const filed = filing.findings.map((f, n) => this.finding(phase, n, f, now, actor.scope));
    this.state.findings.push(...filed);
    this.projected.changed();
    // High findings hold the gate before the filing goes on the record, so the record agrees with the
    // gate: a filing racing the input that passes it (the closing election) is recorded after that input
    // when its hold came too late — found from outside, where the record showed the filing first and the
    // cycle closed over it. Asked only for a filing with a high finding, so other histories are unchanged.
    const high = filed.filter((x) => x.severity === 'high');
    const holdFirst = high.length > 0 && patched('hold-before-filing-record');
    if (holdFirst) for (const f of high) await this.holdGate(f, actor, stage ?? this.state.cycleStage);
    await records.fileCheckpoint(
      this.input.cycleId,
      phase,
      filing,
      filed.map((f) => ({
        id: f.id,
        severity: f.severity,
        description: f.description,
        owner: f.owner ?? null,
        deadline: f.deadline ?? null,
      })),
      actor.id,
      now,
      this.event('checkpoint.filed', actor, {
        phase,
        findings: filed.map((f) => [f.id, f.severity]),
        deficient: Object.entries(filing.checklist)
          .filter(([, v]) => v.status === 'deficient')
          .map(([k]) => k),
      }),
    );
    if (!holdFirst) for (const f of high) await this.holdGate(f, actor, stage ?? this.state.cycleStage);
    filed.forEach((f, n) => {
      const days = filing.findings[n]!.rectification?.deadlineWorkingDays;
      if (f.deadline !== undefined) void this.watchRectification(f);
      else if (days !== undefined) void this.rectificationOnceKnown(f, now, days);
    });
    return this.state;
  }

  /**
   * A rectification due in a year the calendar lacks waits for the cycle to be given that year, then
   * is due as if known when it was filed (as a checkpoint is: deadlineOnceKnown). Its acceptance or the
   * cycle's end ends the wait; waiting is no command.
   */
  private async rectificationOnceKnown(f: FindingState, filedAt: number, days: number) {
    const due = () => workingDeadline(this.calendar, filedAt, days).at;
    await condition(() => due() !== undefined || f.status === 'accepted' || this.state.cycleStage === 'closed');
    const deadline = due();
    if (deadline === undefined || f.status === 'accepted') return;
    f.deadline = deadline;
    this.projected.changed();
    await records.setFindingDeadline(
      f.id,
      deadline,
      this.event('rectification.deadline-known', SYSTEM, { findingId: f.id, deadline }),
    );
    await this.watchRectification(f);
  }

  private finding(
    phase: V.Phase,
    n: number,
    f: V.CheckpointInput['findings'][number],
    now: number,
    raisedIn: string | undefined,
  ): FindingState {
    const r = f.rectification;
    // A year the calendar lacks leaves the rectification without a deadline (deadlines.ts).
    const deadline = r ? workingDeadline(this.calendar, now, r.deadlineWorkingDays).at : undefined;
    return {
      id: `${this.input.cycleId}/${phase}/F${n + 1}`,
      phase,
      severity: f.severity,
      description: f.description,
      status: r ? 'rectifying' : 'recorded',
      ...(r ? { owner: r.owner } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      ...(raisedIn !== undefined ? { raisedIn } : {}),
    };
  }

  /** An open high-severity finding holds the gate the cycle stands at, until its rectification is accepted. */
  private async holdGate(f: FindingState, actor: Actor, stage: Stage) {
    const name = `finding-${f.id.replace(/[^A-Za-z0-9:_.-]/g, '-')}`;
    const held = await cycles.holdCycle(
      this.input.cycleId,
      { name, reason: `高严重度督查问题待整改：${f.description}`, source: 'supervision', stage },
      actor,
    );
    if (held.done) f.holds = name;
    this.projected.changed();
  }

  // ---- rectifications --------------------------------------------------------------------------

  /** A rectification not accepted by its deadline: the owner is chased, then the upper level told. */
  private async watchRectification(f: FindingState) {
    const deadline = f.deadline!;
    const late = (kind: 'overdue' | 'escalated') => async (at: number) => {
      await records.markRectificationLate(
        f.id,
        this.input.jurisdictionId,
        kind,
        at,
        this.event(`rectification.${kind}`, SYSTEM, { findingId: f.id }),
      );
      if (kind === 'overdue') f.overdueAt = at;
      else f.escalatedAt = at;
      this.projected.changed();
    };
    await overdueThenEscalate({
      done: () => f.status === 'accepted',
      deadline,
      escalateAt: () => escalationPoint(this.calendar, deadline, this.rules.escalateAfterWorkingDays),
      summaries: { deadline: '整改期限', escalation: '整改逾期升级' },
      overdue: late('overdue'),
      escalated: late('escalated'),
    });
  }

  vetAcceptance(raw: V.AcceptRectificationInput) {
    guard(() => {
      const a = V.acceptRectificationSchema().parse(raw);
      const f = this.state.findings.find((x) => x.id === a.findingId);
      if (!f)
        throw new DomainError(ErrorType.NotFound, `no finding ${a.findingId}`, [
          { path: 'findingId', rule: 'a finding of this cycle' },
        ]);
      if (f.status !== 'rectifying')
        throw new DomainError(
          ErrorType.Closed,
          `finding ${a.findingId} is ${f.status}; only a rectification can be accepted`,
        );
    });
  }

  /** Accepted: on the record, and the gate the finding held is released. */
  async acceptRectification(raw: V.AcceptRectificationInput, actor: Actor): Promise<SupervisionState> {
    const a = V.acceptRectificationSchema().parse(raw);
    const f = this.state.findings.find((x) => x.id === a.findingId)!;
    f.status = 'accepted';
    this.projected.changed();
    await records.acceptRectification(
      f.id,
      actor.id,
      a.note,
      Date.now(),
      this.event('rectification.accepted', actor, { findingId: f.id }),
    );
    if (f.holds) await cycles.releaseHold(this.input.cycleId, f.holds, `整改验收通过：${a.note}`, actor);
    return this.state;
  }

  // ---- monitoring ------------------------------------------------------------------------------

  /** A monitoring point's scores for the cycle's current stage; the stage's averages follow. */
  async recordMonitoring(raw: V.MonitoringInput, actor: Actor, at: Stage | undefined): Promise<SupervisionState> {
    const m = V.monitoringSchema().parse(raw);
    const stage = at ?? this.state.cycleStage;
    const byPoint = (this.monitoringByPoint[stage] ??= {});
    byPoint[m.point] = m.scores;
    this.state.monitoring[stage] = averages(Object.values(byPoint));
    this.projected.changed();
    await records.recordMonitoring(
      this.input.cycleId,
      stage,
      m,
      actor.id,
      Date.now(),
      this.event('monitoring.recorded', actor, { point: m.point, stage }),
    );
    return this.state;
  }
}

/** A stage sent with an input is one of the cycle's (only the API sends inputs, but any client of Temporal could). */
function vetStage(stage: Stage | undefined) {
  if (stage !== undefined && !STAGES.includes(stage))
    throw new DomainError(ErrorType.Validation, 'stage must be one of the cycle stages', [
      { path: 'stage', rule: STAGES.join(' | ') },
    ]);
}

/** How many points reported, and each indicator's average to one decimal. */
function averages(all: MonitoringInputScores[]): { points: number; averages: MonitoringInputScores } {
  const mean = (k: keyof MonitoringInputScores) =>
    Math.round((all.reduce((a, x) => a + x[k], 0) / all.length) * 10) / 10;
  return {
    points: all.length,
    averages: {
      selection: mean('selection'),
      correction: mean('correction'),
      discipline: mean('discipline'),
      conduct: mean('conduct'),
    },
  };
}
