/**
 * What people may send a cycle, as a table: each Update, the schema of its input, the rule that
 * checks it against the state (in the validator: a rejection leaves no trace in history), the rule
 * that applies it, and the action it is recorded as. The rules themselves are pure, in
 * `domain/cycle/rules.ts`; how an input is taken and answered is `Cycle.take` (./entity.ts).
 */
import { patched } from '@temporalio/workflow';
import type { ZodType } from 'zod';
import { yearOverrideSchema, type YearOverride } from '../../domain/calendar.js';
import * as C from '../../domain/cycle.js';
import type { Actor } from '../../domain/schemas.js';
import { STAGES } from '../../domain/stages.js';
import {
  abortUpdate,
  addCalendarYearUpdate,
  addHoldUpdate,
  dropNomineeUpdate,
  withdrawCandidateUpdate,
  recordAnalysisUpdate,
  recordApprovalUpdate,
  recordCommitteeVoteUpdate,
  recordElectionUpdate,
  recordLaunchUpdate,
  recordRecommendationRoundUpdate,
  recordStandingCommitteeUpdate,
  releaseHoldUpdate,
  resumeUpdate,
  suspendUpdate,
  type StageUpdate,
} from '../contracts/cycle.js';

export interface CycleInput<I> {
  update: StageUpdate<I>;
  /** Built on first use (domain/once.ts): no schema is built when a workflow loads this module. */
  schema: () => ZodType<I>;
  /** Throws a DomainError when the input does not fit the state; touches nothing. */
  check: (s: C.CycleState, i: I) => void;
  apply: (s: C.CycleState, i: I, now: number, actor: Actor) => unknown;
  /** The audit action it is recorded as. */
  action: string;
  /** It decides about every candidate or nominee at once: every person's row may have changed. */
  touchesEveryone?: true;
}

/** Type-checks one entry (its update, schema and rules agree on the input), then lists it with the others. */
const input = <I>(spec: CycleInput<I>): CycleInput<any> => spec;

/** Suspend, resume and abort: a reason, and the cycle's status set to what the control says. */
const statusChange = (
  update: StageUpdate<C.StatusChangeInput>,
  check: (s: C.CycleState, i: C.StatusChangeInput) => void,
  status: C.CycleState['status'],
  action: string,
) =>
  input({
    update,
    schema: C.statusChangeSchema,
    check,
    apply: (s, i, _now, actor) => {
      s.status = status;
      s.statusReason = i.reason;
      // Who suspended it, so a lower level cannot lift the upper level's suspension (found from outside).
      if (status === 'suspended' && actor.scope) s.suspendedIn = actor.scope;
      else delete s.suspendedIn;
      // The abort's own answer says so: it still said what the stage waited for (found from outside).
      if (status === 'aborted') s.waitingFor = C.abortedSays(s);
    },
    action,
  });

/** The stages' own inputs, in the order the stages take them. */
export const STAGE_INPUTS = [
  input({
    update: recordLaunchUpdate,
    schema: C.launchSchema,
    check: C.checkLaunch,
    apply: C.applyLaunch,
    action: 'launch.recorded',
  }),
  input({
    update: recordAnalysisUpdate,
    schema: C.analysisSchema,
    check: C.checkAnalysis,
    apply: C.applyAnalysis,
    action: 'analysis.recorded',
  }),
  input({
    update: recordRecommendationRoundUpdate,
    schema: C.recommendationRoundSchema,
    check: C.checkRecommendationRound,
    apply: C.applyRecommendationRound,
    action: 'recommendation.round',
    touchesEveryone: true,
  }),
  input({
    update: recordStandingCommitteeUpdate,
    schema: C.standingCommitteeSchema,
    check: C.checkStandingCommittee,
    apply: C.applyStandingCommittee,
    action: 'decision.standing',
  }),
  input({
    update: recordCommitteeVoteUpdate,
    schema: C.committeeVoteSchema,
    check: C.checkCommitteeVote,
    apply: C.applyCommitteeVote,
    action: 'decision.vote',
    touchesEveryone: true,
  }),
  input({
    update: dropNomineeUpdate,
    schema: C.dropNomineeSchema,
    check: (s, i) => C.checkDropNomineeAt(s, i, Date.now()),
    // Once the approval is recorded, no reserve moves up (never approved, it could not be elected);
    // asked only then, so other histories are unchanged.
    apply: (s, i, now) =>
      C.applyDropNominee(s, i, now, { moveUp: !(s.approval && patched('no-move-up-after-approval')) }),
    action: 'nominee.dropped',
    touchesEveryone: true,
  }),
  input({
    update: withdrawCandidateUpdate,
    schema: C.withdrawCandidateSchema,
    check: C.checkWithdrawCandidate,
    apply: C.applyWithdrawCandidate,
    action: 'candidate.withdrawn',
    touchesEveryone: true,
  }),
  input({
    update: recordApprovalUpdate,
    schema: C.approvalSchema,
    check: (s, i) => C.checkApprovalAt(s, i, Date.now()),
    apply: C.applyApproval,
    action: 'approval.recorded',
    touchesEveryone: true,
  }),
  input({
    update: recordElectionUpdate,
    schema: C.electionSchema,
    check: C.checkElection,
    apply: C.applyElection,
    action: 'election.recorded',
    touchesEveryone: true,
  }),
];

/**
 * A high-severity finding holds the gate the cycle stands at. Its sender names the stage it read,
 * which the cycle may have left meanwhile (a filing racing a stage change): on a gate already passed
 * the hold would hold nothing, so it goes on the current one. A high risk names the stage it belongs
 * to; filed once that stage's gate is passed (late, or racing the input that passed it), it too holds
 * the current gate while it stays open — found from outside, where it answered `placed` and held
 * nothing. Each patch is asked only then, so other histories are unchanged.
 */
function onTheGateItStandsAt(s: C.CycleState, i: C.HoldInput): C.HoldInput {
  if (i.stage === undefined || STAGES.indexOf(i.stage) >= STAGES.indexOf(s.stage)) return i;
  if (i.source === 'supervision') return patched('finding-holds-current-gate') ? { ...i, stage: s.stage } : i;
  if (i.source === 'risk') return patched('risk-holds-current-gate') ? { ...i, stage: s.stage } : i;
  return i;
}

/** Holds on the gate, suspension, resumption and abort: the cycle's controls, at any stage. */
export const CONTROLS = [
  input({
    update: addHoldUpdate,
    schema: C.holdSchema,
    check: C.checkAddHold,
    apply: (s, i, now, actor) => C.applyAddHold(s, onTheGateItStandsAt(s, i), actor, now),
    action: 'hold.added',
  }),
  input({
    update: releaseHoldUpdate,
    schema: C.sourceReleaseHoldSchema,
    check: C.checkReleaseHold,
    apply: (s, i) => {
      C.applyReleaseHold(s, i);
    },
    action: 'hold.released',
  }),
  statusChange(suspendUpdate, C.checkSuspend, 'suspended', 'cycle.suspended'),
  statusChange(resumeUpdate, C.checkResume, 'running', 'cycle.resumed'),
  statusChange(abortUpdate, C.checkAbort, 'aborted', 'cycle.aborted'),
];

/** A year the working-day calendar lacks, supplied by an organizer: a calendar hold can then be released. */
export const CALENDAR_YEAR: CycleInput<YearOverride> = {
  update: addCalendarYearUpdate,
  schema: yearOverrideSchema,
  check: C.checkAddCalendarYear,
  apply: C.applyAddCalendarYear,
  action: 'calendar.year-added',
};
