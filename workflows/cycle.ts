/**
 * A cycle (换届): one jurisdiction's leadership transition for one term, from launch (启动) through
 * analysis (分析研判和动议), recommendation (民主推荐, two rounds), inspection (考察, one candidate
 * child each, joint review inside), decision (讨论决定), publicity (任职公示, a working-day timer),
 * approval (审查审批) and the congress vote (大会选举) to closed (完成).
 *
 * Organizers drive it with one Update per stage input; each is validated against the current state
 * and rejected without a trace if wrong. A stage advances only when its input is complete, the
 * cycle is not suspended and no hold (raised by reports, supervision or risks) blocks the gate.
 * Every accepted input and every stage change is written to Postgres by an idempotent activity.
 *
 * Candidates run as workflows of their own, started through an activity and heard by signal, so the
 * cycle's history does not grow by a child per candidate; when it still grows long (a thousand
 * candidates), the cycle continues as new from its state, at any stage.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { ZodType } from 'zod';
import type { createCandidateActivities } from '../activities/candidates.js';
import type { createRecordActivities } from '../activities/record.js';
import { yearOverrideSchema } from '../domain/calendar.js';
import { beijingDeadlineText } from '../domain/beijing.js';
import { SYSTEM } from '../domain/events.js';
import { campaignWorkflowId, candidateWorkflowId, supervisionWorkflowId } from '../domain/ids.js';
import type { Actor } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import { STAGE_LABELS, type Stage } from '../domain/stages.js';
import * as C from '../domain/cycle.js';
import { cycleFinishedSignal } from './contracts/campaign.js';
import { calendarYearSignal } from './contracts/candidate.js';
import {
  abortUpdate,
  addCalendarYearUpdate,
  addHoldUpdate,
  candidateOutcomeSignal,
  dropNomineeUpdate,
  getStateQuery,
  recordAnalysisUpdate,
  recordApprovalUpdate,
  recordCommitteeVoteUpdate,
  recordElectionUpdate,
  recordLaunchUpdate,
  recordRecommendationRoundUpdate,
  recordStandingCommitteeUpdate,
  releaseHoldUpdate,
  resumeUpdate,
  reviewLateSignal,
  suspendUpdate,
  type CycleResult,
  type CycleWorkflow,
  type CycleWorkflowInput,
  type InputAccepted,
  type StageUpdate,
} from './contracts/cycle.js';
import { cycleStageSignal } from './contracts/supervision.js';
import { candidateWorkflow } from './candidate.js';
import { keepDeadlineAttributes } from './deadline-attributes.js';
import { cycleDeadlineView } from './deadline-views.js';
import { calendarGap } from './deadlines.js';
import { guard } from './guard.js';
import { CYCLE_STATE_ARRAYS } from '../domain/projection.js';
import { projection } from './projection.js';
import { RECORD_RETRY } from './record.js';
import { supervisionWorkflow } from './supervision.js';

const CALENDAR_HOLD = 'calendar';
/** Behaviour changes under running cycles, each behind patched() (see README "Replay"). */
const Patches = {
  openInspectionBeforeAdvance: 'open-inspection-before-advance',
  supervisionChild: 'supervision-child',
  /** Candidates started by an activity and heard by signal; a long history continues as new. */
  candidatesBySignal: 'candidates-by-signal',
  /** A stage input answers once its consequences are done: the stage advanced, or why it waits. */
  answerAfterConsequences: 'answer-after-consequences',
  /** With no nominee published the publicity stage has no deadline (it was 0, shown as 1970-01-01). */
  publicityWithoutNominees: 'publicity-without-nominees',
} as const;
/** Continue as new well before Temporal's 10,240-event warning, whatever the server suggests. */
const MAX_HISTORY_EVENTS = 4_000;
/**
 * ... and once a run has added 2 MiB: a page of history must stay under gRPC's default 4 MB message
 * for a worker to replay it. Counted from the run's start, which carries the whole state.
 */
const MAX_RUN_GROWTH_BYTES = 2 * 1024 * 1024;
/** Retries come within minutes; the latest answers are enough to recognise them. */
const REMEMBERED_ANSWERS = 200;
/** Inputs that decide about every candidate or nominee at once. */
const PEOPLE_TOUCHED = new Set([
  'recommendation.round',
  'decision.vote',
  'nominee.dropped',
  'approval.recorded',
  'election.recorded',
]);

// ---- activities -------------------------------------------------------------------------------

const { recordCycleEvent } = proxyActivities<ReturnType<typeof createRecordActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});
// A thousand starts take a while; the heartbeat tells a stuck one from a slow one.
const { startCandidateWorkflows, cancelCandidateWorkflows } = proxyActivities<
  ReturnType<typeof createCandidateActivities>
>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RECORD_RETRY,
});

class CycleAborted extends Error {}

// ---- the workflow -----------------------------------------------------------------------------

export async function cycleWorkflow(input: CycleWorkflowInput): Promise<CycleResult> {
  const resumed = input.resume;
  // Decided once, first thing: cycles started before this change keep their children to the end.
  const bySignal = resumed !== undefined || patched(Patches.candidatesBySignal);
  // Also decided once, at the start: a patch checked inside an Update handler does not replay cleanly.
  const answersAfterConsequences = patched(Patches.answerAfterConsequences);
  const state = resumed?.state ?? C.initialCycleState(input.cycleId, input, input.jurisdiction, Date.now());
  const children = new Map<string, ChildWorkflowHandle<typeof candidateWorkflow>>();
  const childScope = new CancellationScope();
  let supervision: ChildWorkflowHandle<typeof supervisionWorkflow> | undefined;
  let seq = resumed?.seq ?? 0;
  const answers = new Map(resumed?.answers ?? []);
  /** Each person's row as last sent to the record (a new run sends each once more). */
  const sentRows = new Map<string, string>();
  /** Records, starts and signals under way: a run does not end (continue as new) with any pending. */
  let inflight = 0;
  let lastAttrs = '';
  /** The main loop is between an open gate and the record of the next stage (an activity may run there). */
  let advancing = false;
  // HuanjieDeadline/HuanjieOverdue of new runs are kept by this watcher (render keeps them for older runs).
  const deadlines = keepDeadlineAttributes(() => cycleDeadlineView(state));
  const runStartBytes = workflowInfo().historySize;
  // The state as GET /v1/cycles/{id} reads it from Postgres; candidates and nominees row by row.
  const projected = projection(() => state, CYCLE_STATE_ARRAYS);

  registerQueries();
  registerStageInputs();
  registerControls();
  if (bySignal) setHandler(candidateOutcomeSignal, onCandidateOutcome);

  try {
    if (!resumed) {
      await persist('cycle.started', input.startedBy, {
        positions: input.positions,
        committees: input.committees,
        policyVersion: input.policy.version,
      });
      if (patched(Patches.supervisionChild)) await startSupervision();
    }
    await runStages();
    state.status = 'closed';
    describe('已完成');
    await persist('cycle.closed', SYSTEM, { results: state.results, outcome: state.outcome });
  } catch (e) {
    if (!(e instanceof CycleAborted)) throw e;
    if (bySignal) {
      // A replacement being started right now must be running before it can be stopped.
      await condition(() => inflight === 0);
      await stopOpenCandidates();
    } else {
      childScope.cancel();
    }
    describe(`已终止：${state.statusReason ?? ''}`);
    await tellSupervision('closed');
  }
  if (input.campaignId) {
    await getExternalWorkflowHandle(campaignWorkflowId(input.campaignId))
      .signal(cycleFinishedSignal, {
        cycleId: state.cycleId,
        status: state.status === 'aborted' ? 'aborted' : 'closed',
      })
      .catch(() => undefined); // a campaign already gone has nobody to tell
  }
  // Outcomes recorded in the background (a late candidate's) are on the record before the end.
  await condition(() => allHandlersFinished() && inflight === 0);
  return {
    cycleId: state.cycleId,
    status: state.status === 'aborted' ? 'aborted' : 'closed',
    results: state.results,
    ...(state.outcome ? { outcome: state.outcome } : {}),
    ...(state.statusReason && state.status === 'aborted' ? { reason: state.statusReason } : {}),
  };

  // ---- stages --------------------------------------------------------------------------------

  /** The stages in order, from wherever this run starts: launch, or where the previous run left off. */
  async function runStages() {
    let openFirst = bySignal;
    for (;;) {
      switch (state.stage) {
        case 'launch':
          await completeStage('launch', '启动：责任清单、警示教育与承诺书');
          break;
        case 'analysis':
          await completeStage('analysis', '分析研判：空缺职位预告');
          break;
        case 'recommendation':
          // Candidates' workflows start before the stage reads "inspection", so nobody sees a candidate
          // that cannot take input. Cycles started before this change open them after advancing.
          openFirst ||= patched(Patches.openInspectionBeforeAdvance);
          await completeStage(
            'recommendation',
            '民主推荐：干部大会与全委会两轮计票',
            openFirst ? openInspection : undefined,
          );
          break;
        case 'inspection':
          await inspect(!openFirst);
          break;
        case 'decision':
          await completeStage('decision', '讨论决定：常委会差额提名，全委会票决');
          break;
        case 'publicity':
          await publicize();
          break;
        case 'approval':
          await completeStage('approval', '审查审批：上级审批或备案');
          break;
        case 'election':
          await completeStage('election', '大会选举：选举结果');
          break;
        default:
          return;
      }
    }
  }

  /** Waits for the stage's input and an open gate, then moves to the next stage. */
  async function completeStage(stage: Stage, waitingFor: string, beforeAdvance?: () => Promise<void>) {
    describe(`等待 ${waitingFor}`);
    await until(() => state.stageDone);
    await passGate();
    // Flagged inline, not through a helper: an extra await would reorder commands of running cycles.
    advancing = true;
    await beforeAdvance?.();
    advance();
    await persist('stage.entered', SYSTEM, { from: stage, to: state.stage });
    advancing = false;
  }

  /**
   * Whether the main loop has drawn every consequence of the inputs so far: nothing left that it will
   * do by itself without another input, a timer or a candidate's outcome.
   */
  function settled() {
    if (state.status === 'aborted') return true;
    if (advancing) return false;
    if (state.stage === 'closed') return state.status === 'closed';
    return !(stageReady() && gateOpen());
  }

  /** The stage's own work is done (its input, or every candidate's outcome); only the gate may stop it. */
  function stageReady() {
    return state.stageDone || (state.stage === 'inspection' && C.inspectionDone(state));
  }

  /** Starts every candidate's workflow at once. */
  async function openInspection() {
    if (bySignal) return openCandidates(state.candidates.filter((x) => x.status === 'inspecting' && !x.opened));
    await childScope.run(() =>
      Promise.all(state.candidates.filter((x) => x.status === 'inspecting').map(startCandidate)),
    );
  }

  /** One activity starts them all; each signals its outcome to the cycle. */
  async function openCandidates(entries: C.CandidateEntry[]) {
    if (entries.length === 0) return;
    await tracked(
      startCandidateWorkflows({
        cycleId: state.cycleId,
        jurisdiction: { id: state.jurisdiction.id, name: state.jurisdiction.name },
        term: state.term,
        policy: state.policy,
        taskQueue: workflowInfo().taskQueue,
        people: entries.map((c) => ({
          personId: c.personId,
          name: c.name,
          positionId: c.positionId,
          ...(c.replaces ? { replaces: c.replaces } : {}),
          ...(c.firstPromotion ? { firstPromotion: true } : {}),
        })),
      }),
    );
    for (const c of entries) c.opened = true;
    bump();
  }

  async function stopOpenCandidates() {
    const open = state.candidates.filter((c) => c.opened && c.status === 'inspecting').map((c) => c.personId);
    if (open.length > 0) await tracked(cancelCandidateWorkflows(state.cycleId, open));
  }

  /** The original path, kept for cycles started before the patch: one child after another. */
  async function openInspectionOneByOne() {
    await childScope.run(async () => {
      for (const c of state.candidates.filter((x) => x.status === 'inspecting')) await startCandidate(c);
    });
  }

  async function inspect(openNow: boolean) {
    describe('考察：等待各考察对象的考察结论');
    if (openNow) await openInspectionOneByOne();
    await until(() => C.inspectionDone(state) && children.size === 0);
    await passGate();
    advancing = true;
    advance();
    await persist('stage.entered', SYSTEM, { from: 'inspection', to: state.stage });
    advancing = false;
  }

  async function startCandidate(c: C.CandidateEntry) {
    const workflowId = candidateWorkflowId(state.cycleId, c.personId);
    const handle = await startChild(candidateWorkflow, {
      workflowId,
      args: [
        {
          cycleId: state.cycleId,
          jurisdictionId: state.jurisdiction.id,
          personId: c.personId,
          name: c.name,
          positionId: c.positionId,
          policy: state.policy,
          ...(c.replaces ? { replaces: c.replaces } : {}),
          ...(c.firstPromotion ? { firstPromotion: true } : {}),
        },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      staticSummary: `${state.jurisdiction.name} ${state.term} 换届 · 考察对象 ${c.personId}（${c.positionId}）`,
      typedSearchAttributes: [
        { key: SA.cycle, value: state.cycleId },
        { key: SA.jurisdiction, value: state.jurisdiction.id },
        { key: SA.term, value: state.term },
        { key: SA.stage, value: 'inspection' },
      ],
    });
    children.set(c.personId, handle);
    c.opened = true;
    bump();
    handle
      .result()
      .then(
        (outcome) => onCandidateOutcome(outcome),
        (err) => {
          if (isCancellation(err) || state.status === 'aborted') return;
          onCandidateOutcome({
            personId: c.personId,
            result: 'stopped',
            reason: `candidate workflow failed: ${(err as Error).message}`,
            cause: 'other',
            concerns: [],
          });
        },
      )
      .finally(() => {
        children.delete(c.personId);
        bump();
      });
  }

  function onCandidateOutcome(outcome: C.DossierOutcome) {
    // A signal can repeat (a retried candidate task); only the first outcome counts.
    if (bySignal && state.candidates.find((x) => x.personId === outcome.personId)?.status !== 'inspecting') return;
    const replacement = C.applyCandidateOutcome(state, outcome);
    bump();
    void persist(
      `candidate.${outcome.result}`,
      SYSTEM,
      { personId: outcome.personId, reason: outcome.reason, cause: outcome.cause, concerns: outcome.concerns },
      undefined,
      [outcome.personId],
    );
    if (replacement) {
      if (bySignal) void openCandidates([replacement]);
      else void childScope.run(() => startCandidate(replacement));
      void persist(
        'candidate.replaced',
        SYSTEM,
        { personId: replacement.personId, replaces: outcome.personId },
        undefined,
        [replacement.personId],
      );
    }
  }

  async function publicize() {
    // A run continued during publicity finds the nominees published already.
    if (!C.activeNominees(state).some((n) => n.publishedAt !== undefined)) {
      await withCalendar(() => C.publishNominees(state, Date.now()));
      const endsAt = C.publicityEndsAt(state);
      // Said before the record is written, so the vote's answer already tells until when (no command:
      // the deadline, which the search attributes carry, is set below as before).
      describe(publicityText(endsAt));
      await persist(
        'publicity.published',
        SYSTEM,
        {
          nominees: C.activeNominees(state).map((n) => n.personId),
          endsAt: endsAt === null ? null : new Date(endsAt).toISOString(),
          ...(endsAt === null ? { reason: C.nothingToPublish(state) } : {}),
        },
        undefined,
        'all',
      );
    }
    // The period closes when every active nominee's own period is over, nobody is held and the gate is open.
    for (;;) {
      const endsAt = C.publicityEndsAt(state);
      // Nobody to publish: no period (cycles before the patch kept a deadline of 0, "1970-01-01").
      state.deadline = endsAt ?? (patched(Patches.publicityWithoutNominees) ? undefined : 0);
      describe(publicityText(endsAt));
      const remaining = (endsAt ?? 0) - Date.now();
      if (remaining <= 0 && gateOpen()) break;
      const seen = state.version;
      if (remaining > 0)
        await condition(() => state.version !== seen || state.status === 'aborted' || historyTooLong(), remaining, {
          summary: '公示期',
        });
      else await until(() => state.version !== seen);
      if (state.status === 'aborted') throw new CycleAborted();
      if (state.version === seen && historyTooLong()) await continueWithNewRun();
    }
    state.deadline = undefined;
    state.stageDone = true;
    advancing = true;
    advance();
    await persist('stage.entered', SYSTEM, { from: 'publicity', to: state.stage });
    advancing = false;
  }

  function publicityText(endsAt: number | null) {
    return endsAt === null ? C.nothingToPublish(state) : `任职公示中，公示期至 ${beijingDeadlineText(endsAt)}`;
  }

  /**
   * Runs a deadline computation; if the calendar lacks a year, the cycle is held (not failed) until an
   * organizer supplies that year through addCalendarYear (the rule in deadlines.ts).
   */
  async function withCalendar(compute: () => void) {
    for (;;) {
      try {
        compute();
        break;
      } catch (e) {
        const missing = calendarGap(e);
        describe(`工作日历缺少数据：${missing}`);
        const raise = !state.holds.some((h) => h.name === CALENDAR_HOLD);
        if (raise) {
          C.applyAddHold(state, { name: CALENDAR_HOLD, reason: missing, source: 'calendar' }, SYSTEM, Date.now());
          bump();
        }
        // Snapshot before awaiting: the year may arrive while the record is being written.
        const seen = state.version;
        if (raise) await persist('hold.added', SYSTEM, { name: CALENDAR_HOLD, reason: missing });
        await until(() => state.version !== seen);
      }
    }
    if (state.holds.some((h) => h.name === CALENDAR_HOLD)) {
      C.applyReleaseHold(state, { name: CALENDAR_HOLD, resolution: 'calendar data supplied' });
      bump();
      await persist('hold.released', SYSTEM, { name: CALENDAR_HOLD });
    }
  }

  // ---- handlers ------------------------------------------------------------------------------

  function registerQueries() {
    setHandler(getStateQuery, () => state);
    // A candidate's late departments show on the cycle, so organizers see them without opening each one.
    setHandler(reviewLateSignal, (late) => {
      const c = state.candidates.find((x) => x.personId === late.personId);
      if (!c) return;
      (c.lateReviews ??= []).push({ departments: late.departments, kind: late.kind, at: late.at });
      bump();
    });
  }

  function registerStageInputs() {
    onInput(recordLaunchUpdate, C.launchSchema(), C.checkLaunch, C.applyLaunch, 'launch.recorded');
    onInput(recordAnalysisUpdate, C.analysisSchema(), C.checkAnalysis, C.applyAnalysis, 'analysis.recorded');
    onInput(
      recordRecommendationRoundUpdate,
      C.recommendationRoundSchema(),
      C.checkRecommendationRound,
      C.applyRecommendationRound,
      'recommendation.round',
    );
    onInput(
      recordStandingCommitteeUpdate,
      C.standingCommitteeSchema(),
      C.checkStandingCommittee,
      C.applyStandingCommittee,
      'decision.standing',
    );
    onInput(
      recordCommitteeVoteUpdate,
      C.committeeVoteSchema(),
      C.checkCommitteeVote,
      C.applyCommitteeVote,
      'decision.vote',
    );
    onInput(
      dropNomineeUpdate,
      C.dropNomineeSchema(),
      (s, i) => C.checkDropNomineeAt(s, i, Date.now()),
      C.applyDropNominee,
      'nominee.dropped',
    );
    onInput(recordApprovalUpdate, C.approvalSchema(), C.checkApproval, C.applyApproval, 'approval.recorded');
    onInput(recordElectionUpdate, C.electionSchema(), C.checkElection, C.applyElection, 'election.recorded');
  }

  function registerControls() {
    onInput(
      addHoldUpdate,
      C.holdSchema(),
      C.checkAddHold,
      (s, i, now, actor) => C.applyAddHold(s, i, actor, now),
      'hold.added',
    );
    onInput(
      releaseHoldUpdate,
      C.sourceReleaseHoldSchema(),
      C.checkReleaseHold,
      (s, i) => {
        C.applyReleaseHold(s, i);
      },
      'hold.released',
    );
    onInput(
      suspendUpdate,
      C.reasonOnlySchema(),
      C.checkSuspend,
      (s, i) => {
        s.status = 'suspended';
        s.statusReason = i.reason;
      },
      'cycle.suspended',
    );
    onInput(
      resumeUpdate,
      C.reasonOnlySchema(),
      C.checkResume,
      (s, i) => {
        s.status = 'running';
        s.statusReason = i.reason;
      },
      'cycle.resumed',
    );
    onInput(
      abortUpdate,
      C.reasonOnlySchema(),
      C.checkAbort,
      (s, i) => {
        s.status = 'aborted';
        s.statusReason = i.reason;
      },
      'cycle.aborted',
    );
    onInput(
      addCalendarYearUpdate,
      yearOverrideSchema(),
      C.checkAddCalendarYear,
      (s, i) => {
        C.applyAddCalendarYear(s, i);
        // Candidates in inspection compute review deadlines on the same calendar.
        for (const child of children.values()) void child.signal(calendarYearSignal, i).catch(() => undefined);
        if (bySignal) {
          for (const c of state.candidates.filter((x) => x.opened && x.status === 'inspecting')) {
            void tracked(
              getExternalWorkflowHandle(candidateWorkflowId(state.cycleId, c.personId))
                .signal(calendarYearSignal, i)
                .catch(() => undefined),
            );
          }
        }
      },
      'calendar.year-added',
    );
  }

  /**
   * One stage input: the validator parses and checks without touching state (a rejection leaves no
   * trace in history); the handler applies, records, and answers where the cycle now stands.
   */
  function onInput<I>(
    update: StageUpdate<I>,
    schema: ZodType<I>,
    check: (s: C.CycleState, i: I) => void,
    apply: (s: C.CycleState, i: I, now: number, actor: Actor) => unknown,
    action: string,
  ) {
    setHandler(
      update,
      async (raw, actor) => {
        const updateId = currentUpdateInfo()?.id;
        const earlier = answerGiven();
        if (earlier) return earlier;
        const parsed = schema.parse(raw);
        const before = summary();
        apply(state, parsed, Date.now(), actor);
        bump();
        await persist(
          action,
          actor,
          { input: parsed as Record<string, unknown> },
          before,
          PEOPLE_TOUCHED.has(action) ? 'all' : undefined,
        );
        // The answer tells where the input led: the next stage once the loop has advanced (and
        // recorded it), or why the stage waits, so the next input can follow at once.
        if (answersAfterConsequences) {
          await condition(settled);
          if (stageReady() && !gateOpen() && state.status !== 'aborted') describe(C.gateClosedBecause(state));
        }
        const answer: InputAccepted = {
          cycleId: state.cycleId,
          version: state.version,
          stage: state.stage,
          status: state.status,
          ...(answersAfterConsequences ? { waitingFor: state.waitingFor } : {}),
        };
        if (updateId !== undefined) remember(updateId, answer);
        return answer;
      },
      {
        validator: (raw, _actor) => {
          if (answerGiven()) return; // a retry: answered below without acting again
          guard(() => check(state, schema.parse(raw)));
        },
      },
    );
  }

  /**
   * Temporal answers a repeated update id with the first result only within one run; across a
   * continue-as-new the cycle remembers its recent answers itself, so a retried input (the same
   * Idempotency-Key) still acts once.
   */
  function answerGiven(): InputAccepted | undefined {
    const id = currentUpdateInfo()?.id;
    return id === undefined ? undefined : answers.get(id);
  }

  function remember(updateId: string, answer: InputAccepted) {
    answers.set(updateId, answer);
    if (answers.size > REMEMBERED_ANSWERS) answers.delete(answers.keys().next().value!);
  }

  // ---- small steps ---------------------------------------------------------------------------

  function gateOpen() {
    return state.status === 'running' && C.blockingHolds(state).length === 0;
  }

  async function passGate() {
    // The stage's work is done: what keeps it is said in so many words (the UI and every answer show it).
    if (!gateOpen()) describe(C.gateClosedBecause(state));
    await until(gateOpen);
  }

  /**
   * Waits for `pred`; an abort ends the wait (and the cycle) wherever it happens, and a history grown
   * long ends this run: the next one starts from the state and waits again.
   */
  async function until(pred: () => boolean) {
    await condition(() => state.status === 'aborted' || pred() || historyTooLong());
    if (state.status === 'aborted') throw new CycleAborted();
    if (!pred()) await continueWithNewRun();
  }

  function historyTooLong() {
    if (!bySignal) return false;
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS) ||
      info.historySize - runStartBytes > MAX_RUN_GROWTH_BYTES
    );
  }

  /** Hands the state to a new run once nothing is half done: no handler running, nothing in flight. */
  async function continueWithNewRun(): Promise<never> {
    await condition(() => allHandlersFinished() && inflight === 0);
    return continueAsNew<CycleWorkflow>({ ...input, resume: { state, seq, answers: [...answers] } });
  }

  /** Counts work in flight; cycles started before continue-as-new keep their exact promise chains. */
  function tracked<T>(work: Promise<T>): Promise<T> {
    if (!bySignal) return work;
    inflight++;
    return work.finally(() => inflight--);
  }

  function advance() {
    C.enterStage(state, Date.now());
    state.waitingFor = `进入${STAGE_LABELS[state.stage]}`;
    bump();
    // Supervision opens its checkpoints as the cycle reaches them.
    void tellSupervision(state.stage);
  }

  /**
   * By its id when candidates signal (a continued run has no child handle), else through the child.
   * A supervision that has already ended needs no word.
   */
  async function tellSupervision(stage: Stage) {
    if (bySignal)
      await tracked(
        getExternalWorkflowHandle(supervisionWorkflowId(state.cycleId))
          .signal(cycleStageSignal, stage)
          .catch(() => undefined),
      );
    else await supervision?.signal(cycleStageSignal, stage);
  }

  /** Conduct supervision runs beside the cycle; it outlives it only to finish its own records. */
  async function startSupervision() {
    supervision = await startChild(supervisionWorkflow, {
      workflowId: supervisionWorkflowId(state.cycleId),
      args: [{ cycleId: state.cycleId, jurisdictionId: state.jurisdiction.id, policy: state.policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${state.jurisdiction.name} ${state.term} 换届风气监督`,
      typedSearchAttributes: [
        { key: SA.cycle, value: state.cycleId },
        { key: SA.jurisdiction, value: state.jurisdiction.id },
        { key: SA.term, value: state.term },
      ],
    });
  }

  function bump() {
    state.version++;
    render();
  }

  function describe(waitingFor: string) {
    state.waitingFor = waitingFor;
    render();
  }

  /** Keeps the UI's one-line "what does it wait for" and the operators' filters in step with the state. */
  function render() {
    projected.changed();
    const holds = C.blockingHolds(state).map((h) => h.name);
    const gate =
      state.status === 'suspended'
        ? ` · 已暂停（${state.statusReason ?? ''}）`
        : holds.length > 0
          ? ` · 关口暂停，待解除：${holds.join('、')}`
          : '';
    const until = state.deadline ? ` · 截止 ${beijingDeadlineText(state.deadline)}` : '';
    // The last part tells operators how to list this cycle's candidates (and its supervision) in the UI.
    setCurrentDetails(
      `**${STAGE_LABELS[state.stage]}** (${state.stage}) — ${state.waitingFor}${gate}${until} · 考察对象及监督：HuanjieCycle = '${state.cycleId}'`,
    );
    const attrs = `${state.stage}|${state.status}|${state.deadline ?? ''}`;
    if (attrs === lastAttrs) return;
    lastAttrs = attrs;
    upsertSearchAttributes([
      { key: SA.stage, value: state.stage },
      { key: SA.status, value: state.status },
      ...(state.deadline && !deadlines.enabled ? [{ key: SA.deadline, value: new Date(state.deadline) }] : []),
    ]);
  }

  function summary() {
    return { stage: state.stage, status: state.status, holds: state.holds.map((h) => h.name) };
  }

  /**
   * Puts an act on the record: the audit event, the cycle's row and the people it touched ('all' when
   * a stage decided about everybody), in one idempotent write. Of those people only the rows that
   * changed since they were last sent go, so a vote on six nominees among a thousand candidates
   * writes six rows. The full state goes only at the end.
   */
  async function persist(
    action: string,
    actor: Actor,
    detail?: Record<string, unknown>,
    before?: Record<string, unknown>,
    people?: readonly string[] | 'all',
  ) {
    const key = `${workflowInfo().workflowId}#${++seq}`;
    const ended = state.status === 'closed' || state.status === 'aborted';
    await tracked(
      recordCycleEvent(
        {
          key,
          at: Date.now(),
          actor,
          subjectType: 'cycle',
          subjectId: state.cycleId,
          cycleId: state.cycleId,
          jurisdictionId: state.jurisdiction.id,
          action,
          ...(before ? { before } : {}),
          after: summary(),
          ...(detail ? { detail } : {}),
        },
        C.cycleRow(state),
        changedRows(people === 'all' || ended ? C.personRows(state) : C.personRows(state, people ?? [])),
        ...(ended ? [state] : []),
      ),
    );
  }

  function changedRows(rows: C.PersonRow[]): C.PersonRow[] {
    return rows.filter((row) => {
      const sent = JSON.stringify(row);
      if (sentRows.get(row.personId) === sent) return false;
      sentRows.set(row.personId, sent);
      return true;
    });
  }
}
