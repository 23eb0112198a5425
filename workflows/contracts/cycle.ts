/**
 * The cycle's contract: what callers may send a cycle workflow (its Updates and Signals), what they
 * may ask it (its Query), and its input and result. A leaf module — it imports only `domain/` types —
 * so the API, activities and other workflows use it without loading the cycle's implementation.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { YearOverride } from '../../domain/calendar.js';
import type * as C from '../../domain/cycle.js';
import type { Department, Policy } from '../../domain/policy.js';
import type { Actor, Jurisdiction } from '../../domain/schemas.js';
import type { Stage } from '../../domain/stages.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const cycleWorkflowType = 'cycleWorkflow';
export type CycleWorkflow = (input: CycleWorkflowInput) => Promise<CycleResult>;

/**
 * What a stage input answers: where the cycle stands after it. Not the whole state — a cycle of a
 * thousand candidates would add its full size to the history at every input; readers query it.
 */
export interface InputAccepted {
  cycleId: string;
  version: number;
  stage: Stage;
  status: C.CycleState['status'];
  /** What the cycle waits for now: the next stage's input, or why the stage waits at its gate. */
  waitingFor: string;
}
export type StageUpdate<I> = UpdateDefinition<InputAccepted, [I, Actor]>;
export const recordLaunchUpdate: StageUpdate<C.LaunchInput> = defineUpdate('recordLaunch');
export const recordAnalysisUpdate: StageUpdate<C.AnalysisInput> = defineUpdate('recordAnalysis');
export const recordRecommendationRoundUpdate: StageUpdate<C.RecommendationRound> =
  defineUpdate('recordRecommendationRound');
export const recordStandingCommitteeUpdate: StageUpdate<C.StandingCommitteeInput> =
  defineUpdate('recordStandingCommittee');
export const recordCommitteeVoteUpdate: StageUpdate<C.CommitteeVoteInput> = defineUpdate('recordCommitteeVote');
export const dropNomineeUpdate: StageUpdate<C.DropNomineeInput> = defineUpdate('dropNominee');
export const recordApprovalUpdate: StageUpdate<C.ApprovalInput> = defineUpdate('recordApproval');
export const recordElectionUpdate: StageUpdate<C.ElectionInput> = defineUpdate('recordElection');
export const addHoldUpdate: StageUpdate<C.HoldInput> = defineUpdate('addHold');
export const releaseHoldUpdate: StageUpdate<C.ReleaseHoldInput> = defineUpdate('releaseHold');
export const suspendUpdate: StageUpdate<{ reason: string }> = defineUpdate('suspend');
export const resumeUpdate: StageUpdate<{ reason: string }> = defineUpdate('resume');
export const abortUpdate: StageUpdate<{ reason: string }> = defineUpdate('abort');
/** Supplies a year the working-day calendar lacks (policy.calendar.overrides); releases a calendar hold. */
export const addCalendarYearUpdate: StageUpdate<YearOverride> = defineUpdate('addCalendarYear');
export const getStateQuery = defineQuery<C.CycleState>('getState');

/** A candidate's workflow tells its cycle how the candidacy ended (by the cycle's workflow id). */
export const candidateOutcomeSignal = defineSignal<[C.DossierOutcome]>('candidateOutcome');

/** A department chased or escalated: the cycle shows it on the candidate. */
export interface ReviewLate {
  personId: string;
  departments: Department[];
  kind: 'chased' | 'escalated';
  at: number;
}
export const reviewLateSignal = defineSignal<[ReviewLate]>('reviewLate');

export interface CycleWorkflowInput {
  cycleId: string;
  jurisdiction: Jurisdiction;
  term: string;
  positions: C.Position[];
  committees: { standing: number; full: number };
  /** The policy snapshot: resolved once at start, never re-read. */
  policy: Policy;
  startedBy: Actor;
  /** Set when a campaign launched the cycle: it is told when the cycle ends. */
  campaignId?: string;
  /** Set by the cycle itself when it continues as new: where the previous run left off. */
  resume?: CycleResume;
  /** A run continues as new past this many history events (default 4,000); tests lower it. */
  maxHistoryEvents?: number;
}

export interface CycleResume {
  state: C.CycleState;
  /** The record's sequence, so audit keys stay unique across runs. */
  seq: number;
  /** The latest inputs' update ids and answers, so a retry crossing into the new run acts once. */
  answers?: [string, InputAccepted][];
}

export interface CycleResult {
  cycleId: string;
  status: 'closed' | 'aborted';
  results: C.PositionResult[];
  outcome?: C.CycleState['outcome'];
  reason?: string;
}
