/**
 * The cycle's contract: what callers may send a cycle workflow (its Updates and Signals), what they
 * may ask it (its Query), and its input and result. A leaf module — it imports only `domain/` types —
 * so the API, activities and other workflows use it without loading the cycle's implementation.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { YearOverride } from '../../domain/calendar.js';
import type { AuditEvent } from '../../domain/events.js';
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
  /** The acts for the input's sender to record (patch `senders-record-acts`; CycleActsForRecord). */
  forRecord?: CycleActsForRecord;
}

/**
 * An act of the cycle taken while an input waited for its answer — the input itself, the stage it
 * opened — handed to the input's sender to put on the record before it answers its own caller. The
 * sender has it from the Update's result, which Temporal hands out only once the workflow task that
 * took the input is in history, so the record holds exactly the acts in history, as with an
 * activity, without an activity's events and second workflow task. The cycle's next own record (a
 * candidate's outcome, a timer's stage, the close) writes every such act again in case a sender died
 * first; every write is idempotent and the rows only move forward (activities/record.ts).
 */
export interface CycleActForRecord {
  event: AuditEvent;
  row: C.CycleRow;
  people: C.PersonRow[];
}

/**
 * Several such acts as an answer carries them: every audit event in order, but only the latest
 * cycle row and each person's latest row — the rows only move forward, so older ones would be
 * skipped anyway, and an answer stays small however many acts it carries.
 */
export interface CycleActsForRecord {
  events: AuditEvent[];
  row: C.CycleRow;
  people: C.PersonRow[];
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
/** Sent by a report's finding, never by a route: a candidate who passed inspection and is no nominee. */
export const withdrawCandidateUpdate: StageUpdate<C.WithdrawCandidateInput> = defineUpdate('withdrawCandidate');
export const recordApprovalUpdate: StageUpdate<C.ApprovalInput> = defineUpdate('recordApproval');
export const recordElectionUpdate: StageUpdate<C.ElectionInput> = defineUpdate('recordElection');
export const addHoldUpdate: StageUpdate<C.HoldInput> = defineUpdate('addHold');
export const releaseHoldUpdate: StageUpdate<C.ReleaseHoldInput> = defineUpdate('releaseHold');
export const suspendUpdate: StageUpdate<C.StatusChangeInput> = defineUpdate('suspend');
export const resumeUpdate: StageUpdate<C.StatusChangeInput> = defineUpdate('resume');
export const abortUpdate: StageUpdate<C.StatusChangeInput> = defineUpdate('abort');
/** Supplies a year the working-day calendar lacks (policy.calendar.overrides); releases a calendar hold. */
export const addCalendarYearUpdate: StageUpdate<YearOverride> = defineUpdate('addCalendarYear');
export const getStateQuery = defineQuery<C.CycleState>('getState');

/** A candidate's workflow tells its cycle how the candidacy ended (by the cycle's workflow id). */
export const candidateOutcomeSignal = defineSignal<[C.DossierOutcome]>('candidateOutcome');
/**
 * The same as an Update, sent by the activity that records the candidate's last act: the answer
 * carries the cycle's acts it led to (the candidate passed or stopped, its replacement) for that
 * activity to record (CycleActForRecord) — no record activity of the cycle's own for each outcome.
 */
export const hearCandidateOutcomeUpdate = defineUpdate<OutcomeHeard, [C.DossierOutcome]>('hearCandidateOutcome');
export interface OutcomeHeard {
  forRecord?: CycleActsForRecord;
}

/** A department chased or escalated: the cycle shows it on the candidate. */
export interface ReviewLate {
  personId: string;
  departments: Department[];
  kind: 'chased' | 'escalated';
  at: number;
}
export const reviewLateSignal = defineSignal<[ReviewLate]>('reviewLate');
/** The departments chased and escalated at one of a candidate's wake-ups, in one signal. */
export const reviewsLateSignal = defineSignal<[ReviewLate[]]>('reviewsLate');

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
  /** Acts handed to senders that the cycle has not yet recorded itself (CycleActForRecord). */
  unrecorded?: CycleActForRecord[];
}

export interface CycleResult {
  cycleId: string;
  status: 'closed' | 'aborted';
  results: C.PositionResult[];
  outcome?: C.CycleState['outcome'];
  reason?: string;
}
