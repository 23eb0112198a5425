/**
 * A candidate's inspection (考察). One child per 考察对象 of a cycle, started when inspection opens.
 *
 * The inspection team records the checklist (必谈 interviews, 家访 for a first promotion, 四德反向测评,
 * the five 必核 checks) and the personal-matters verification; each joint-review department (联审)
 * returns its verdict through its inbox. Departments that have not answered are chased (催办) at the
 * chase point and escalated to the supervising level at the deadline, both on the cycle's
 * working-day calendar. A `disqualifying` verdict or a concealment (瞒报) stops the candidate at once;
 * otherwise the team closes the dossier as passed once nothing is missing or unclear (必清), and the
 * concerns go on to the decision stage. The outcome is the workflow's result; candidates the cycle
 * started through an activity (not as its children) also signal it to the cycle, which may have
 * continued as new since, to keep or replace the candidate.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { createRecordActivities } from '../activities/record.js';
import type { CandidateRef, createReviewActivities } from '../activities/reviews.js';
import type { DossierOutcome } from '../domain/cycle.js';
import { cycleWorkflowId } from '../domain/ids.js';
import { DomainError, ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import * as I from '../domain/inspection.js';
import type { Actor } from '../domain/schemas.js';
import { keepDeadlineAttributes } from './deadline-attributes.js';
import { workingDeadline } from './deadlines.js';
import { candidateDeadlineView } from './deadline-views.js';
import { guard } from './guard.js';
import {
  calendarYearSignal,
  completeDossierUpdate,
  getCandidateQuery,
  getPersonalMattersRulesQuery,
  recordInspectionUpdate,
  recordPersonalMattersUpdate,
  stopCandidateUpdate,
  submitVerdictUpdate,
  type CandidateInput,
  type CandidateState,
} from './contracts/candidate.js';
import { candidateOutcomeSignal, reviewLateSignal, type ReviewLate } from './contracts/cycle.js';
import { RECORD_RETRY, auditEvents } from './record.js';

// ---- activities -------------------------------------------------------------------------------

const { recordEvent } = proxyActivities<ReturnType<typeof createRecordActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
const reviews = proxyActivities<ReturnType<typeof createReviewActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});

const Patches = {
  /** Inspection with a checklist, joint review and personal matters; before it, a dossier was only closed. */
  inspectionContents: 'candidate-inspection-contents',
} as const;

// ---- the workflow -----------------------------------------------------------------------------

export async function candidateWorkflow(input: CandidateInput): Promise<DossierOutcome> {
  const state: CandidateState = {
    cycleId: input.cycleId,
    personId: input.personId,
    name: input.name,
    positionId: input.positionId,
    status: 'inspecting',
    startedAt: Date.now(),
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
  const record = (action: string, actor: Actor, detail?: Record<string, unknown>) =>
    recordEvent(event(action, actor, detail));

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

  setHandler(getCandidateQuery, () => state);
  setHandler(getPersonalMattersRulesQuery, () => input.policy.inspection.personalMatters);
  setHandler(
    stopCandidateUpdate,
    async (raw, actor) => {
      const s = I.stopSchema().parse(raw);
      finish({ personId: input.personId, result: 'stopped', reason: s.reason, cause: s.cause, concerns: [] });
      await record('candidate.stopped', actor, { reason: s.reason, cause: s.cause });
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

  if (patched(Patches.inspectionContents)) return inspectAndReview();

  // Candidates started before the inspection had contents: the team only closes the dossier.
  setHandler(
    completeDossierUpdate,
    async (raw, actor) => {
      const d = I.dossierSchema().parse(raw);
      finish(
        d.result === 'passed'
          ? { personId: input.personId, result: 'passed', concerns: d.concerns }
          : { personId: input.personId, result: 'stopped', reason: d.reason, cause: d.cause, concerns: [] },
      );
      await record(
        `dossier.${d.result}`,
        actor,
        d.result === 'passed' ? { concerns: d.concerns } : { reason: d.reason, cause: d.cause },
      );
      return state;
    },
    {
      validator: (raw, _actor) =>
        guard(() => {
          I.dossierSchema().parse(raw);
          checkOpen();
        }),
    },
  );
  await record('inspection.started', SYSTEM, input.replaces ? { replaces: input.replaces } : {});
  await condition(() => state.outcome !== undefined);
  await condition(allHandlersFinished);
  return state.outcome!;

  // ---- the inspection ------------------------------------------------------------------------

  async function inspectAndReview(): Promise<DossierOutcome> {
    const policy = input.policy;
    const dossier = I.newDossier(policy, input.firstPromotion ?? false);
    state.dossier = dossier;
    const refresh = () => {
      state.missing = I.missingItems(dossier, policy, Date.now());
    };
    refresh();
    const deadlines = keepDeadlineAttributes(() => candidateDeadlineView(state, dossier));

    setHandler(calendarYearSignal, (year) => {
      if (policy.calendar.kind === 'cn' && !policy.calendar.overrides.some((o) => o.year === year.year))
        policy.calendar.overrides.push(year);
    });
    setHandler(
      recordInspectionUpdate,
      async (raw, actor) => {
        const r = I.inspectionRecordSchema().parse(raw);
        I.applyInspectionRecord(dossier, r);
        refresh();
        // Statuses only (no notes): the daily ledger counts files reviewed (档案审核) from them.
        await record('inspection.recorded', actor, {
          parts: Object.keys(r),
          checks: Object.fromEntries(Object.entries(dossier.checks).map(([k, v]) => [k, v.status])),
        });
        return state;
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
        // Today the API seals the details first and sends a reference with the classification.
        // Updates accepted before that carried the details and were classified here; their
        // histories replay through the same steps (validators do not run on replay).
        let details: I.PersonalMattersInput | { sealedRef: string };
        let result: I.PersonalMattersResult;
        if (raw && typeof raw === 'object' && 'sealedRef' in raw) {
          const m = I.personalMattersMessageSchema().parse(raw);
          details = { sealedRef: m.sealedRef };
          result = {
            outcome: I.outcomeOf(m.classification.discrepancies),
            discrepancies: m.classification.discrepancies,
          };
        } else {
          details = I.personalMattersSchema().parse(raw);
          result = I.classifyPersonalMatters(details, policy);
        }
        dossier.personalMatters = { ...result, checkedAt: Date.now() };
        refresh();
        stopIfRequired();
        // Details are sealed in Postgres; the audit trail gets only the outcome.
        await reviews.recordPersonalMatters(
          ref,
          details,
          result,
          actor.id,
          Date.now(),
          event('personalMatters.checked', actor, { outcome: result.outcome }),
        );
        return state;
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
        refresh();
        stopIfRequired();
        await reviews.recordVerdict(
          ref,
          { department: v.department, verdict: v.verdict, reason: v.reason, by: actor.id, at: Date.now() },
          event('review.answered', actor, { department: v.department, verdict: v.verdict }),
        );
        return state;
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
            ? { personId: input.personId, result: 'passed', concerns: I.concernsOf(dossier, d.concerns) }
            : { personId: input.personId, result: 'stopped', reason: d.reason, cause: d.cause, concerns: [] },
        );
        await record(
          `dossier.${d.result}`,
          actor,
          d.result === 'passed' ? { concerns: state.outcome!.concerns.length } : { reason: d.reason, cause: d.cause },
        );
        return state;
      },
      {
        validator: (raw, _actor) =>
          guard(() => {
            const d = I.dossierSchema().parse(raw);
            checkOpen();
            refresh();
            if (d.result === 'passed' && state.missing!.length > 0) {
              throw new DomainError(
                ErrorType.Inconsistent,
                `the dossier cannot close while items are missing or unclear (必清): ${state.missing!.join('; ')}`,
                state.missing!.map((m) => ({ path: 'dossier', rule: m })),
              );
            }
          }),
      },
    );

    await record('inspection.started', SYSTEM, input.replaces ? { replaces: input.replaces } : {});
    await openReviews();
    const watch = new CancellationScope();
    const watching = watch.run(watchDeadlines).catch(() => undefined);
    state.waitingFor = '考察中：待完成考察清单、联审意见与个人有关事项核查';
    await condition(() => state.outcome !== undefined);
    watch.cancel();
    await watching;
    if (state.outcome!.result === 'stopped') {
      await reviews.closeReviewTasks(ref, event('review.closed', SYSTEM, { reason: 'candidate stopped' }));
    }
    await condition(allHandlersFinished);
    if (input.signalsCycle) await tellCycle(candidateOutcomeSignal, state.outcome!);
    deadlines.settle();
    return state.outcome!;

    function stopIfRequired() {
      const stop = I.stopReason(dossier);
      if (stop && state.status === 'inspecting')
        finish({ personId: input.personId, result: 'stopped', reason: stop.reason, cause: stop.cause, concerns: [] });
    }

    /** Opens one task per department; the deadlines wait for calendar data if a year is missing. */
    async function openReviews() {
      const openedAt = Date.now();
      for (;;) {
        const chase = workingDeadline(policy.calendar, openedAt, policy.jointReview.chaseAtWorkingDays);
        const due = workingDeadline(policy.calendar, openedAt, policy.jointReview.deadlineWorkingDays);
        if (chase.at !== undefined && due.at !== undefined) {
          dossier.chaseAt = chase.at;
          dossier.deadline = due.at;
          break;
        }
        // The year is missing (deadlines.ts): the reviews wait for it, supplied through the cycle.
        state.waitingFor = `联审期限无法计算：${chase.missing ?? due.missing}`;
        const years = policy.calendar.kind === 'cn' ? policy.calendar.overrides.length : 0;
        await condition(
          () =>
            (policy.calendar.kind === 'cn' ? policy.calendar.overrides.length : 0) !== years ||
            state.outcome !== undefined,
        );
        if (state.outcome) return;
      }
      dossier.reviewOpenedAt = openedAt;
      refresh();
      await reviews.openReviewTasks(
        ref,
        dossier.reviews.map((r) => r.department),
        { openedAt, chaseAt: dossier.chaseAt, deadline: dossier.deadline },
        event('review.opened', SYSTEM, {
          departments: dossier.reviews.map((r) => r.department),
          chaseAt: dossier.chaseAt,
          deadline: dossier.deadline,
        }),
      );
    }

    /** At the chase point, then at the deadline: every department still silent is chased, then escalated. */
    async function watchDeadlines() {
      for (const [kind, at] of [
        ['chased', dossier.chaseAt],
        ['escalated', dossier.deadline],
      ] as const) {
        if (at === undefined) return;
        const allAnswered = () => dossier.reviews.every((r) => r.verdict !== undefined);
        if (
          await condition(allAnswered, Math.max(0, at - Date.now()), {
            summary: kind === 'chased' ? '联审催办时点' : '联审期限',
          })
        )
          return;
        const late = dossier.reviews.filter((r) => r.verdict === undefined);
        for (const r of late) {
          r.status = kind;
          if (kind === 'chased') r.chasedAt = Date.now();
          else r.escalatedAt = Date.now();
        }
        refresh();
        const departments = late.map((r) => r.department);
        await reviews.markLateReviews(
          ref,
          departments,
          kind,
          Date.now(),
          event(`review.${kind}`, SYSTEM, { departments }),
        );
        const notice: ReviewLate = { personId: input.personId, departments, kind, at: Date.now() };
        if (input.signalsCycle) await tellCycle(reviewLateSignal, notice);
        else if (workflowInfo().parent)
          await getExternalWorkflowHandle(workflowInfo().parent!.workflowId).signal(reviewLateSignal, notice);
      }
    }
  }

  /** A cycle that has ended (aborted meanwhile) has nobody left to tell. */
  async function tellCycle<T>(signal: SignalDefinition<[T]>, arg: T) {
    await getExternalWorkflowHandle(cycleWorkflowId(input.cycleId))
      .signal(signal, arg)
      .catch(() => undefined);
  }
}
