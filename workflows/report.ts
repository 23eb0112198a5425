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
 * The workflow function is the message API and the story; `Report` below holds the entity.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  patched,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createCycleGatewayActivities, GatewayResult } from '../activities/cycle-gateway.js';
import type { createReportActivities } from '../activities/reports.js';
import { beijingDeadlineText } from '../domain/beijing.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import * as R from '../domain/reports.js';
import type { Actor } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import {
  getReportQuery,
  initialReportState,
  submitFindingUpdate,
  triageReportUpdate,
  type ReportInput,
  type ReportState,
} from './contracts/report.js';
import { holdPlacedFrom, holdPlacedUpdate, holdsNoCycle, type HoldPlaced } from './contracts/hold.js';
import { actOrTimeout, calendarGap, escalationPoint } from './deadlines.js';
import { guard } from './guard.js';
import { projection } from './projection.js';
import { RECORD_RETRY, auditEvents } from './record.js';
import { askTasksNeverEmpty } from './tasks-never-empty.js';

/** Since 12-07: a report that went overdue is not closed on time, whatever deadline a later triage set. */
const LATE_STAYS_LATE = 'report-late-stays-late';

const ledger = proxyActivities<ReturnType<typeof createReportActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const cycles = proxyActivities<ReturnType<typeof createCycleGatewayActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});

export async function reportWorkflow(input: ReportInput): Promise<ReportState> {
  askTasksNeverEmpty();
  const report = new Report(input);

  // ---- messages
  setHandler(getReportQuery, () => report.state);
  setHandler(holdPlacedUpdate, () => report.holdPlaced());
  setHandler(triageReportUpdate, (triage, actor) => report.retriage(triage, actor), {
    validator: (triage, _actor) =>
      guard(() => {
        R.triageSchema().parse(triage);
        R.checkOpenReport(report.state.status);
      }),
  });
  setHandler(submitFindingUpdate, (finding, actor) => report.conclude(finding, actor), {
    validator: (finding, _actor) => report.vetFinding(finding),
  });

  // ---- the story
  await report.holdTarget();
  await report.triageByRule();
  await report.watchDeadlineUntilClosed();
  return report.state;
}

class Report {
  readonly state: ReportState;
  private readonly holdName: string;
  /** What holdTarget did, once it is done (holdPlacedUpdate). */
  private held: HoldPlaced | undefined;
  /** Bumped on every change the deadline watch must see (a new triage, a finding, an undo). */
  private version = 0;
  /**
   * The first triage is on the record. Inputs wait for it: a closing written before it would make
   * the record skip the triage (a closed report's triage is not rewritten).
   */
  private triaged = false;
  /** A finding taken but waiting for the first triage: a second one is refused meanwhile. */
  private pendingFinding: R.Finding | undefined;
  private readonly event: ReturnType<typeof auditEvents>;
  /** The state as GET /v1/reports/{id} reads it from Postgres (its `live`). */
  private readonly projected = projection(() => this.state, []);

  constructor(private readonly input: ReportInput) {
    this.state = initialReportState(input);
    this.holdName = `report-${input.reportId}`;
    this.event = auditEvents({
      type: 'report',
      id: input.reportId,
      cycleId: input.target.type === 'candidate' ? input.target.cycleId : null,
      jurisdictionId: input.jurisdictionId,
    });
  }

  // ---- the story's steps -----------------------------------------------------------------------

  /** 置顶办理: a candidate or nominee under report is held before anything else happens. */
  async holdTarget() {
    const { target, category } = this.input;
    if (target.type !== 'candidate') {
      this.held = { state: 'none', why: holdsNoCycle(target.type) };
      return;
    }
    const held = await cycles.holdPerson(
      target.cycleId,
      target.personId,
      { name: this.holdName, reason: `举报待核查（${R.CATEGORIES[category]}）`, source: 'report' },
      SYSTEM,
    );
    this.state.hold = held.done ? this.holdName : `none: ${held.why}`;
    this.held = holdPlacedFrom(this.holdName, held);
  }

  /** Answers registration once holdTarget is done, so no input after its answer passes the person's gate. */
  async holdPlaced(): Promise<HoldPlaced> {
    await condition(() => this.held !== undefined);
    return this.held!;
  }

  /** The report's first triage, by rule: its deadline set and put on the record. */
  async triageByRule() {
    await this.triage(SYSTEM);
    this.triaged = true;
  }

  /** Sets the deadline of the report's triage and puts the triage on the record. */
  private async triage(actor: Actor) {
    this.computeDeadline();
    await ledger.recordReportTriage(
      this.input.reportId,
      {
        triage: this.state.triage,
        rule: this.state.triageRule,
        unit: this.state.unit,
        deadline: this.state.deadline ?? null,
        hold: this.state.hold ?? 'none',
      },
      this.event('report.triaged', actor, {
        triage: this.state.triage,
        rule: this.state.triageRule,
        deadline: this.state.deadline,
        hold: this.state.hold,
      }),
    );
  }

  /**
   * Watches the deadline until the report is closed — closed only once the closing is written: a
   * finding whose record failed is undone, and the report goes on waiting for the next one.
   */
  async watchDeadlineUntilClosed() {
    const watch = new CancellationScope();
    const watching = watch.run(() => this.watchDeadline()).catch(() => undefined);
    await condition(() => this.state.status === 'closed' && allHandlersFinished());
    watch.cancel();
    await watching;
  }

  /** Overdue at the deadline (the unit is chased); escalated to the upper level a working day later. */
  private async watchDeadline() {
    const { state } = this;
    for (;;) {
      const seen = this.version;
      const changed = () => this.version !== seen;
      // Without a deadline (the calendar lacks a year) nothing is timed until a new triage sets one.
      const due =
        state.deadline === undefined
          ? undefined
          : state.overdueAt === undefined
            ? state.deadline
            : escalationPoint(this.input.policy.calendar, state.deadline, 1);
      const summary = state.overdueAt === undefined ? '办结期限' : '逾期升级';
      if ((await actOrTimeout(changed, due, summary)) === 'acted') continue;
      if (state.overdueAt === undefined) {
        await this.markLate('overdue', state.deadline!);
      } else {
        await this.markLate('escalated', state.deadline!);
        return;
      }
    }
  }

  private async markLate(kind: 'overdue' | 'escalated', deadline: number) {
    const at = Date.now();
    if (kind === 'overdue') this.state.overdueAt = at;
    else this.state.escalatedAt = at;
    this.describe();
    await ledger.markReportLate(
      this.input.reportId,
      kind,
      at,
      kind === 'overdue' ? `unit:${this.state.unit}` : 'upper-level',
      this.event(`report.${kind}`, SYSTEM, { deadline }),
    );
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /** A new triage by a person: the deadline follows it. */
  async retriage(raw: R.TriageInput, actor: Actor): Promise<ReportState> {
    await condition(() => this.triaged);
    const t = R.triageSchema().parse(raw);
    const before = { ...this.state };
    this.state.triage = t.kind;
    this.state.triageRule = `re-triaged by ${actor.id}: ${t.reason}`;
    if (t.unit) this.state.unit = t.unit;
    this.version++;
    this.projected.changed();
    await this.undoneOnFailure(before, () => this.triage(actor));
    return this.state;
  }

  vetFinding(raw: R.FindingMessage) {
    guard(() => {
      // Only a reference: the summary itself must never enter this workflow's history.
      R.findingMessageSchema().parse(raw);
      R.checkOpenReport(this.state.status);
      const recorded = this.state.finding ?? this.pendingFinding;
      if (recorded) throw new DomainError(ErrorType.Duplicate, `a finding (${recorded}) is already recorded`);
    });
  }

  /** The verification unit's finding: its effect on the candidacy, then the report closed. */
  async conclude(raw: R.FindingMessage, actor: Actor): Promise<ReportState> {
    const f = R.findingMessageSchema().parse(raw);
    this.pendingFinding = f.finding;
    await condition(() => this.triaged);
    this.pendingFinding = undefined;
    const before = { ...this.state };
    this.state.finding = f.finding;
    if (f.consequence) this.state.consequence = f.consequence;
    this.version++;
    this.projected.changed();
    await this.undoneOnFailure(before, async () => {
      this.state.effect = await this.applyEffect(f, actor);
      await this.close(f, actor);
    });
    return this.state;
  }

  /**
   * An input whose record could not be written (a permanent failure: the activity is not retried)
   * is undone in the workflow too, so the report never claims a triage or a closing that Postgres
   * does not hold; the caller's Update fails and says so.
   */
  private async undoneOnFailure(before: ReportState, act: () => Promise<void>) {
    try {
      await act();
    } catch (e) {
      for (const k of Object.keys(this.state) as (keyof ReportState)[]) if (!(k in before)) delete this.state[k];
      Object.assign(this.state, before);
      this.version++;
      this.projected.changed();
      this.describe();
      throw e;
    }
  }

  /** On a candidate: a substantiated finding stops the candidacy; the person's hold is released in every case. */
  private async applyEffect(f: R.FindingMessage, actor: Actor): Promise<string> {
    const effect = R.effectOf(f);
    let outcome: GatewayResult | undefined;
    if (this.input.target.type === 'candidate') {
      const { cycleId, personId } = this.input.target;
      if (effect === 'stop') {
        outcome = await cycles.stopCandidacy(
          cycleId,
          personId,
          `举报${R.FINDINGS[f.finding]}：${R.CONSEQUENCES[f.consequence!]}`,
          this.holdName,
          actor,
        );
      }
      if (this.state.hold === this.holdName) {
        const resolution =
          effect === 'clarify'
            ? '举报不属实，予以澄清'
            : effect === 'refer'
              ? '恶意举报，已移送，对象予以澄清'
              : `举报${R.FINDINGS[f.finding]}，已处理`;
        await cycles.releaseHold(cycleId, this.holdName, resolution, actor);
      }
    }
    if (effect === 'stop')
      return `candidacy: ${outcome ? (outcome.done ? outcome.what : `not applicable (${outcome.why})`) : 'no candidacy'}`;
    if (effect === 'clarify') return '澄清 (clarification) recorded for the target';
    if (effect === 'refer') return '恶意举报 recorded and referred; target cleared';
    return 'none';
  }

  private async close(f: R.FindingMessage, actor: Actor) {
    const { state } = this;
    state.status = 'closed';
    state.closedAt = Date.now();
    state.closedOnTime = state.deadline === undefined ? false : state.closedAt <= state.deadline;
    // A re-triage counts its deadline again from receipt, so an overdue direct check moved to 立项督办 had
    // a deadline ahead and was counted on time (found from outside). Asked only where that decides.
    if (state.closedOnTime && state.overdueAt !== undefined && patched(LATE_STAYS_LATE)) state.closedOnTime = false;
    this.describe();
    await ledger.closeReport(
      this.input.reportId,
      {
        finding: f.finding,
        consequence: f.consequence ?? null,
        summaryRef: f.summaryRef,
        effect: state.effect!,
        closedAt: state.closedAt,
        onTime: state.closedOnTime,
      },
      this.event(R.effectOf(f) === 'clarify' ? 'report.clarified' : 'report.closed', actor, {
        finding: f.finding,
        consequence: f.consequence,
        effect: state.effect,
        onTime: state.closedOnTime,
      }),
    );
  }

  // ---- what the report says about itself ------------------------------------------------------

  private computeDeadline() {
    try {
      this.state.deadline = R.reportDeadline(this.state.triage, this.input.receivedAt, this.input.policy);
    } catch (e) {
      // Without calendar data the deadline is unknown (deadlines.ts): said so; the ledger shows the report open.
      this.state.deadline = undefined;
      this.state.waitingFor = `期限无法计算：${calendarGap(e)}`;
    }
    this.describe();
  }

  private describe() {
    this.projected.changed();
    const { state, input } = this;
    if (state.status === 'verifying' && state.deadline !== undefined)
      state.waitingFor = `待${state.unit}查核，${R.TRIAGE[state.triage]}，期限 ${beijingDeadlineText(state.deadline)}`;
    // A closed report waits for nothing (its finding's answer still named the inspection and its deadline).
    if (state.status === 'closed') state.waitingFor = '';
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
}
