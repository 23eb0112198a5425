/**
 * A candidate's inspection (考察). One workflow per 考察对象 of a cycle, started when inspection opens.
 *
 * The inspection team records the checklist (必谈 interviews, 家访 for a first promotion, 四德反向测评,
 * the five 必核 checks) and the personal-matters verification; each joint-review department (联审)
 * returns its verdict through its inbox. Departments that have not answered are chased (催办) at the
 * chase point and escalated to the supervising level at the deadline, both on the cycle's
 * working-day calendar. A `disqualifying` verdict or a concealment (瞒报) stops the candidate at once;
 * otherwise the team closes the dossier as passed once nothing is missing or unclear (必清), and the
 * concerns go on to the decision stage. The outcome is the workflow's result; candidates the cycle
 * started through an activity (not as its children) also tell it to the cycle, which may have
 * continued as new since, to keep or replace the candidate.
 *
 * What it costs in history events (a thousand candidates make a cycle): an input that does not end
 * the inspection is answered at once, in the workflow task that took it, with its act for its sender
 * (the API) to put on the record (contracts/candidate.ts ActForRecord, patch senders-record-acts):
 * five events, no activity. So does the start, answered to the `openInspection` its starter sends
 * with it (input starterRecordsStart). What the workflow does itself — a deadline point, the act that
 * ends the inspection — goes on the record through ONE ordinary activity (activities/reviews.ts
 * recordCandidate: the act's rows, its audit events and the candidate's state, in one transaction,
 * with every act handed to a sender since, in case one never wrote), and the last one tells the cycle
 * the outcome by Update. The chase point and the deadline share one timer at a time, and points
 * already due are handled at once without one.
 */
import { CancellationScope, allHandlersFinished, condition, patched, setHandler, sleep } from '@temporalio/workflow';
import type { createReviewActivities } from '../activities/reviews.js';
import type { DossierOutcome } from '../domain/cycle.js';
import { cycleWorkflowId } from '../domain/ids.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import { SYSTEM } from '../domain/events.js';
import * as I from '../domain/inspection.js';
import { keepDeadlineAttributes, type DeadlineAttributes } from './deadline-attributes.js';
import { workingDeadline } from './deadlines.js';
import { candidateDeadlineView } from './deadline-views.js';
import { guard } from './guard.js';
import {
  calendarYearSignal,
  completeDossierUpdate,
  getCandidateQuery,
  getPersonalMattersRulesQuery,
  openInspectionUpdate,
  recordInspectionUpdate,
  recordPersonalMattersUpdate,
  stopCandidateUpdate,
  submitVerdictUpdate,
  type ActForRecord,
  type CandidateAct,
  type CandidateAnswer,
  type CandidateInput,
  type CandidateRef,
  type CandidateState,
} from './contracts/candidate.js';
import type { ReviewLate } from './contracts/cycle.js';
import { MAX_UNRECORDED, UNRECORDED_WITHIN_MS, auditEvents, oneAtATime, recordActivity } from './record.js';
import { askTasksNeverEmpty } from './tasks-never-empty.js';

// ---- activities -------------------------------------------------------------------------------

// ---- the workflow -----------------------------------------------------------------------------

export async function candidateWorkflow(input: CandidateInput): Promise<DossierOutcome> {
  // Its starter says so in the input (no marker); a run started otherwise asks the patch.
  askTasksNeverEmpty(input.tasksNeverEmpty === true);
  // Asked first thing in a run: whether an input that does not end the inspection is answered at once,
  // for its sender to record (contracts/candidate.ts ActForRecord), or recorded here before it is
  // answered; and the activity that puts acts on the record (../record.ts says why).
  // A run whose start its starter records (input.starterRecordsStart, newer than every patch below)
  // asks none of them: each ask writes a marker and a search attribute into history.
  const current = input.starterRecordsStart === true;
  const sendersRecord = current || patched('senders-record-acts');
  const writeRecord = recordActivity<ReturnType<typeof createReviewActivities>, 'recordCandidate'>(
    'recordCandidate',
    sendersRecord,
  );
  /** Acts answered for their senders to record since this workflow's last own record. */
  const answeredUnrecorded: ActForRecord[] = [];
  const policy = input.policy;
  const dossier = I.newDossier(policy, input.firstPromotion ?? false);
  const state: CandidateState = {
    cycleId: input.cycleId,
    personId: input.personId,
    name: input.name,
    positionId: input.positionId,
    status: 'inspecting',
    startedAt: Date.now(),
    version: 0,
    dossier,
    waitingFor: '考察中：待完成考察清单、联审意见与个人有关事项核查',
  };
  const ref: CandidateRef = {
    cycleId: input.cycleId,
    personId: input.personId,
    jurisdictionId: input.jurisdictionId,
    positionId: input.positionId,
    name: input.name,
  };
  const event = auditEvents({
    type: 'candidate',
    id: input.personId,
    cycleId: input.cycleId,
    jurisdictionId: input.jurisdictionId,
    detail: { positionId: input.positionId },
  });
  /** The cycle hears of late departments and the outcome by signal to its workflow id (whichever run is current). */
  const listener = cycleWorkflowId(input.cycleId);

  /** A change to the state: what is missing is recomputed and the version moves on. */
  const changed = () => {
    state.missing = I.missingItems(dossier, policy, Date.now());
    state.version++;
  };
  changed();
  // Started once the reviews have their deadline (or wait for a calendar year): an earlier start would
  // write the search attributes once more, without a deadline, for nothing.
  let deadlines: DeadlineAttributes | undefined;
  const keepDeadlines = () => (deadlines ??= keepDeadlineAttributes(() => candidateDeadlineView(state, dossier)));

  /** The act that ended the inspection has been put on the record (with the closing and the outcome). */
  let endRecorded = false;
  const oneByOne = oneAtATime('records-one-at-a-time', current);
  /**
   * Puts one act on the record with the state it left. The act that ended the inspection also closes
   * the tasks nobody answered (when stopped) and tells the cycle the outcome, in the same activity.
   */
  const record = (
    { tell, ...act }: Omit<CandidateAct, 'ref' | 'state' | 'events' | 'tell'> & { tell?: { late: ReviewLate[] } },
    ...events: AuditEvent[]
  ) => {
    const ends = state.outcome !== undefined && !endRecorded;
    if (ends) endRecorded = true;
    const stopped = ends && state.outcome!.result === 'stopped';
    if (stopped) events.push(event('review.closed', SYSTEM, { reason: 'candidate stopped' }));
    const told = { ...tell, ...(ends ? { outcome: state.outcome! } : {}) };
    // The state goes as it is when the record is written: the latest, which every earlier act led to.
    const write = (earlier?: ActForRecord[]) =>
      writeRecord({
        ref,
        state,
        events,
        ...act,
        ...(earlier && earlier.length > 0 ? { earlier } : {}),
        ...(stopped ? { closeTasks: true } : {}),
        ...(told.late || told.outcome ? { tell: { ...told, workflowId: listener } } : {}),
      });
    if (!sendersRecord) return oneByOne(() => write());
    // So do the acts answered for their senders until then, which stay in every answer until this
    // record is done.
    return oneByOne(async () => {
      const earlier = answeredUnrecorded.slice();
      await write(earlier);
      answeredUnrecorded.splice(0, earlier.length);
    });
  };

  /**
   * An inspection input is recorded here before it is answered when it ended the inspection, or in
   * runs from before the patch; any other is answered at once with the act for its sender to record
   * (`handOver`), and kept until this workflow's next own record writes it too. Handlers call
   * `record` themselves on the first path, so its promises settle exactly as they always did: a
   * replay meets the answers and the records in the same order as the recorded run.
   */
  const recordsHere = () => !sendersRecord || state.outcome !== undefined;
  const handOver = (
    act: Pick<ActForRecord, 'verdict' | 'personalMatters' | 'opened' | 'rules'>,
    ...events: AuditEvent[]
  ): CandidateAnswer => {
    answeredUnrecorded.push({ ref, events, ...act });
    // Too many for one answer: the workflow records them itself (the answers stay small).
    if (answeredUnrecorded.length >= MAX_UNRECORDED.candidate) void record({});
    // Every act not yet in one of this workflow's own records goes with the answer: a sender that died
    // before writing its act is covered by the next input's sender, and a 200 always means that
    // every act before it is on the record too.
    return { ...state, forRecord: [...answeredUnrecorded] };
  };

  /**
   * ... and by this workflow within UNRECORDED_WITHIN_MS of an answer, if no record of its own (the
   * outcome, a deadline point) or a later input's sender has come first (the workflow cannot tell
   * the latter; writing again is harmless). It costs one timer per quiet spell with acts outstanding.
   */
  async function recordAnsweredActs() {
    for (;;) {
      await condition(() => answeredUnrecorded.length > 0);
      await sleep(UNRECORDED_WITHIN_MS);
      if (answeredUnrecorded.length > 0 && state.outcome === undefined) await record({});
    }
  }

  const finish = (outcome: DossierOutcome) => {
    state.outcome = outcome;
    state.status = outcome.result;
  };
  const checkOpen = () => {
    if (state.status !== 'inspecting')
      throw new DomainError(
        ErrorType.Closed,
        `candidate ${input.personId} already finished inspection (${state.status})`,
      );
  };
  // Asked only where a stop reason or a concern would name personal matters: runs from before name them.
  const sealedMatters = () => patched('personal-matters-sealed-in-reasons');
  function stopIfRequired() {
    if (state.status !== 'inspecting') return;
    const stop = I.stopReason(dossier, sealedMatters);
    if (stop)
      finish({ personId: input.personId, result: 'stopped', reason: stop.reason, cause: stop.cause, concerns: [] });
  }

  /**
   * The start, when the activity that started this candidate records it (`starterRecordsStart`): the
   * first act of the opening is answered to its `openInspection` like an input's, and the workflow
   * records nothing itself at its start — no activity, no second workflow task.
   */
  let startHandedOver = false;
  const recordStart = async (act: Pick<ActForRecord, 'opened' | 'rules'>, ...events: AuditEvent[]) => {
    if (!current || startHandedOver) return record(act, ...events);
    startHandedOver = true;
    handOver(act, ...events);
  };

  // ---- handlers ------------------------------------------------------------------------------

  setHandler(openInspectionUpdate, async () => {
    await condition(() => startHandedOver || !current || state.outcome !== undefined);
    return answeredUnrecorded.length > 0 ? { ...state, forRecord: [...answeredUnrecorded] } : state;
  });

  setHandler(getCandidateQuery, () => state);
  setHandler(getPersonalMattersRulesQuery, () => policy.inspection.personalMatters);
  setHandler(calendarYearSignal, (year) => {
    if (policy.calendar.kind === 'cn' && !policy.calendar.overrides.some((o) => o.year === year.year))
      policy.calendar.overrides.push(year);
  });

  setHandler(
    stopCandidateUpdate,
    async (raw, actor) => {
      const s = I.stopSchema().parse(raw);
      finish({ personId: input.personId, result: 'stopped', reason: s.reason, cause: s.cause, concerns: [] });
      changed();
      // It ends the inspection: recorded here, with the outcome told to the cycle.
      await record({}, event('candidate.stopped', actor, { reason: s.reason, cause: s.cause }));
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          I.stopSchema().parse(raw);
          checkOpen();
        }),
    },
  );

  setHandler(
    recordInspectionUpdate,
    async (raw, actor) => {
      const r = I.inspectionRecordSchema().parse(raw);
      I.applyInspectionRecord(dossier, r);
      changed();
      // Statuses only (no notes): the daily ledger counts files reviewed (档案审核) from them.
      const e = event('inspection.recorded', actor, {
        parts: Object.keys(r),
        checks: Object.fromEntries(Object.entries(dossier.checks).map(([k, v]) => [k, v.status])),
      });
      if (recordsHere()) {
        await record({}, e);
        return state;
      }
      return handOver({}, e);
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          I.inspectionRecordSchema().parse(raw);
          checkOpen();
        }),
    },
  );

  setHandler(
    recordPersonalMattersUpdate,
    async (raw, actor) => {
      // The API sealed the details first and sends a reference with the classification.
      const m = I.personalMattersMessageSchema().parse(raw);
      const result: I.PersonalMattersResult = {
        outcome: I.outcomeOf(m.classification.discrepancies),
        discrepancies: m.classification.discrepancies,
      };
      dossier.personalMatters = { ...result, checkedAt: Date.now() };
      stopIfRequired();
      changed();
      // Details are sealed in Postgres; the audit trail gets only the outcome.
      const act = { personalMatters: { sealedRef: m.sealedRef, result, by: actor.id, at: Date.now() } };
      const e = event('personalMatters.checked', actor, { outcome: result.outcome });
      if (recordsHere()) {
        await record(act, e);
        return state;
      }
      return handOver(act, e);
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          // Only a reference: the details themselves must never enter this workflow's history.
          I.personalMattersMessageSchema().parse(raw);
          checkOpen();
          if (dossier.personalMatters)
            throw new DomainError(ErrorType.Duplicate, 'personal matters are already verified for this candidate');
        }),
    },
  );

  setHandler(
    submitVerdictUpdate,
    async (raw, actor) => {
      const v = I.verdictSchema().parse(raw);
      const review = dossier.reviews.find((r) => r.department === v.department)!;
      Object.assign(review, {
        status: 'answered',
        verdict: v.verdict,
        reason: v.reason,
        answeredAt: Date.now(),
        answeredBy: actor.id,
      });
      stopIfRequired();
      changed();
      const act = {
        verdict: { department: v.department, verdict: v.verdict, reason: v.reason, by: actor.id, at: Date.now() },
      };
      const e = event('review.answered', actor, { department: v.department, verdict: v.verdict });
      if (recordsHere()) {
        await record(act, e);
        return state;
      }
      return handOver(act, e);
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          const v = I.verdictSchema().parse(raw);
          checkOpen();
          I.checkVerdict(dossier, v);
        }),
    },
  );

  setHandler(
    completeDossierUpdate,
    async (raw, actor) => {
      const d = I.dossierSchema().parse(raw);
      finish(
        d.result === 'passed'
          ? { personId: input.personId, result: 'passed', concerns: I.concernsOf(dossier, d.concerns, sealedMatters) }
          : { personId: input.personId, result: 'stopped', reason: d.reason, cause: d.cause, concerns: [] },
      );
      changed();
      // It ends the inspection: recorded here, with the outcome told to the cycle.
      await record(
        {},
        event(
          `dossier.${d.result}`,
          actor,
          d.result === 'passed' ? { concerns: state.outcome!.concerns.length } : { reason: d.reason, cause: d.cause },
        ),
      );
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          const d = I.dossierSchema().parse(raw);
          checkOpen();
          const missing = I.missingItems(dossier, policy, Date.now());
          if (d.result === 'passed' && missing.length > 0) {
            throw new DomainError(
              ErrorType.Inconsistent,
              `the dossier cannot close while items are missing or unclear (必清): ${missing.join('; ')}`,
              missing.map((m) => ({ path: 'dossier', rule: m })),
            );
          }
        }),
    },
  );

  // ---- the inspection ------------------------------------------------------------------------

  if (sendersRecord) void recordAnsweredActs().catch(() => undefined);

  const started = event('inspection.started', SYSTEM, input.replaces ? { replaces: input.replaces } : {});
  await openReviews(started);
  keepDeadlines();
  const watch = new CancellationScope();
  const watching = watch.run(watchDeadlines).catch(() => undefined);
  await condition(() => state.outcome !== undefined);
  watch.cancel();
  await watching;
  await condition(allHandlersFinished);
  deadlines?.settle();
  return state.outcome!;

  /**
   * Opens one task per department with the inspection's start (one act); the deadlines wait for
   * calendar data if a year is missing (the start is recorded alone, saying so).
   */
  async function openReviews(startedEvent: AuditEvent) {
    const openedAt = Date.now();
    let pending: AuditEvent[] = [startedEvent];
    for (;;) {
      const chase = workingDeadline(policy.calendar, openedAt, policy.jointReview.chaseAtWorkingDays);
      const due = workingDeadline(policy.calendar, openedAt, policy.jointReview.deadlineWorkingDays);
      if (chase.at !== undefined && due.at !== undefined) {
        dossier.chaseAt = chase.at;
        dossier.deadline = due.at;
        break;
      }
      // The year is missing (deadlines.ts): the reviews wait for it, supplied through the cycle.
      const waitingFor = state.waitingFor;
      state.waitingFor = `联审期限无法计算：${chase.missing ?? due.missing}`;
      changed();
      keepDeadlines();
      await recordStart(pending.length > 0 ? { rules: policy.inspection.personalMatters } : {}, ...pending);
      pending = [];
      const years = policy.calendar.kind === 'cn' ? policy.calendar.overrides.length : 0;
      await condition(
        () =>
          (policy.calendar.kind === 'cn' ? policy.calendar.overrides.length : 0) !== years ||
          state.outcome !== undefined,
      );
      if (state.outcome) return;
      state.waitingFor = waitingFor;
    }
    dossier.reviewOpenedAt = openedAt;
    changed();
    const departments = dossier.reviews.map((r) => r.department);
    await recordStart(
      {
        opened: { departments, openedAt, chaseAt: dossier.chaseAt, deadline: dossier.deadline },
        ...(pending.length > 0 ? { rules: policy.inspection.personalMatters } : {}),
      },
      ...pending,
      event('review.opened', SYSTEM, { departments, chaseAt: dossier.chaseAt, deadline: dossier.deadline }),
    );
  }

  /**
   * One timer at a time, for the next point (the chase point, then the deadline). Every point due by
   * the time it fires is handled at that one wake-up, in order: departments still silent are chased,
   * then escalated (a point already past needs no timer at all).
   */
  async function watchDeadlines() {
    const points = (
      [
        ['chased', dossier.chaseAt],
        ['escalated', dossier.deadline],
      ] as const
    ).filter((p): p is readonly ['chased' | 'escalated', number] => p[1] !== undefined);
    const allAnswered = () => dossier.reviews.every((r) => r.verdict !== undefined);
    let next = 0;
    while (next < points.length) {
      const [kind, at] = points[next]!;
      const wait = at - Date.now();
      if (allAnswered()) return;
      if (
        wait > 0 &&
        (await condition(allAnswered, wait, { summary: kind === 'chased' ? '联审催办时点' : '联审期限' }))
      )
        return;
      const now = Date.now();
      const late: ReviewLate[] = [];
      const lateActs: NonNullable<CandidateAct['late']> = [];
      const events: AuditEvent[] = [];
      for (; next < points.length && points[next]![1] <= now; next++) {
        const k = points[next]![0];
        const silent = dossier.reviews.filter((r) => r.verdict === undefined);
        for (const r of silent) {
          r.status = k;
          if (k === 'chased') r.chasedAt = now;
          else r.escalatedAt = now;
        }
        const departments = silent.map((r) => r.department);
        const e = event(`review.${k}`, SYSTEM, { departments });
        events.push(e);
        lateActs.push({ departments, kind: k, at: now, key: e.key });
        late.push({ personId: input.personId, departments, kind: k, at: now });
      }
      changed();
      // Newer runs tell the cycle nothing: it shows late departments from their tasks on the record
      // (api/cycle-state.ts), which this record writes.
      await record({ late: lateActs, ...(current ? {} : { tell: { late } }) }, ...events);
    }
  }
}
