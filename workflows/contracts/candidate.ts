/**
 * The candidate's contract: the Updates, Signals and Queries of a candidate's inspection workflow,
 * its input and its state as queried. A leaf module (domain types only), imported by the workflow,
 * the activities that start or stop candidates, and the API.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { YearOverride } from '../../domain/calendar.js';
import type { DossierOutcome } from '../../domain/cycle.js';
import type * as I from '../../domain/inspection.js';
import type { AuditEvent } from '../../domain/events.js';
import type { Department, Policy } from '../../domain/policy.js';
import type { Actor } from '../../domain/schemas.js';
import type { ReviewLate } from './cycle.js';

export { dossierSchema, stopSchema, type DossierInput, type StopInput } from '../../domain/inspection.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const candidateWorkflowType = 'candidateWorkflow';
export type CandidateWorkflow = (input: CandidateInput) => Promise<DossierOutcome>;

export interface CandidateInput {
  cycleId: string;
  jurisdictionId: string;
  personId: string;
  name: string;
  positionId: string;
  policy: Policy;
  replaces?: string;
  /** First promotion into the leadership: a home visit (家访) is required. */
  firstPromotion?: boolean;
  /**
   * Set by the activity that starts the candidate (activities/candidates.ts), which sends
   * `openInspection` with the start and puts the start on the record from its answer, as any sender
   * does (ActForRecord): the workflow then records nothing itself at its start. The input, not a
   * patch, says so: it is in history, so a run started without it replays as it ran.
   */
  starterRecordsStart?: true;
  /** Set by the same starter: no workflow task of the run ends without a command (../tasks-never-empty.ts). */
  tasksNeverEmpty?: true;
}

export interface CandidateState {
  cycleId: string;
  personId: string;
  name: string;
  positionId: string;
  status: 'inspecting' | 'passed' | 'stopped';
  outcome?: DossierOutcome;
  startedAt: number;
  /**
   * Counts the workflow's changes to this state. Each change is recorded with its version (the
   * candidate_states row only moves forward), and an input's answer carries the version the API waits
   * for before it answers, so a later GET from Postgres shows at least that input.
   */
  version: number;
  /** The checklist, the departments' reviews and personal matters. */
  dossier?: I.Dossier;
  /** What still keeps the dossier open (必清), recomputed on every change. */
  missing?: string[];
  waitingFor?: string;
}

/** Who the record's rows are about (the candidate, in its cycle and jurisdiction). */
export interface CandidateRef {
  cycleId: string;
  personId: string;
  jurisdictionId: string;
  positionId: string;
  name: string;
}

/** One act of a candidate's inspection: what it changes besides the audit trail and the state. */
export interface CandidateAct {
  ref: CandidateRef;
  /** The act's audit events, in order (an act that also stops the candidate has two). */
  events: AuditEvent[];
  /** The candidate's state after the act. */
  state: CandidateState;
  /** With the first act: the rules the API classifies this candidate's personal matters by. */
  rules?: I.PersonalMattersRules;
  opened?: { departments: Department[]; openedAt: number; chaseAt: number | null; deadline: number | null };
  verdict?: { department: Department; verdict: I.Verdict; reason: string; by: string; at: number };
  /** The API sealed the details under `sealedRef` first; only the reference and the result come here. */
  personalMatters?: { sealedRef: string; result: I.PersonalMattersResult; by: string; at: number };
  /** Chased (催办) and/or escalated at one wake-up, in that order; the event key dates the notifications. */
  late?: { departments: Department[]; kind: 'chased' | 'escalated'; at: number; key: string }[];
  /** A stopped candidate's unanswered tasks leave the inboxes. */
  closeTasks?: boolean;
  /**
   * Acts the workflow answered before they were on the record (ActForRecord): written first, in
   * order, by the next record the workflow writes itself, whether or not their senders wrote them.
   */
  earlier?: ActForRecord[];
  /**
   * For the workflow that shows this candidate: the cycle's (by its id, whichever run is current), or
   * the parent of a candidate started as a child, which hears only of late departments.
   */
  tell?: { workflowId: string; late?: ReviewLate[]; outcome?: DossierOutcome };
}

/**
 * An act that did not end the inspection, as its answer carries it (patch `senders-record-acts`):
 * its sender — the API that sent the Update — puts it on the record with the answer's state before
 * it answers its caller, from the Update's result, which Temporal hands out only once the workflow
 * task that took the act is in history. So the record holds exactly the acts in history, as with an
 * activity, at a third of the events (no activity, no second workflow task). A sender that never
 * writes (it died) loses nothing: the workflow's next own record (a deadline point, the outcome)
 * writes every such act again, and every write is idempotent.
 */
export type ActForRecord = Pick<CandidateAct, 'ref' | 'events' | 'verdict' | 'personalMatters' | 'opened' | 'rules'>;

/**
 * What an inspection input answers: the state after it, and for its sender to record its act and
 * every earlier one the workflow has not yet recorded itself, in order.
 */
export type CandidateAnswer = CandidateState & { forRecord?: ActForRecord[] };

export const completeDossierUpdate = defineUpdate<CandidateAnswer, [I.DossierInput, Actor]>('completeDossier');
export const stopCandidateUpdate = defineUpdate<CandidateAnswer, [I.StopInput, Actor]>('stopCandidate');
export const recordInspectionUpdate = defineUpdate<CandidateAnswer, [unknown, Actor]>('recordInspection');
export const recordPersonalMattersUpdate = defineUpdate<CandidateAnswer, [unknown, Actor]>('recordPersonalMatters');
export const submitVerdictUpdate = defineUpdate<CandidateAnswer, [unknown, Actor]>('submitVerdict');
/**
 * Sent with the start by the activity that starts the candidate (`starterRecordsStart`): answered
 * once the inspection has opened (or waits for a calendar year), with the start for it to record.
 */
export const openInspectionUpdate = defineUpdate<CandidateAnswer, []>('openInspection');
/** The update id of `openInspection`: one start per candidate, so a retried starter gets the same answer. */
export const OPEN_INSPECTION_UPDATE_ID = 'open-inspection';
/** The cycle passes on a calendar year an organizer supplied: review deadlines use the same calendar. */
export const calendarYearSignal = defineSignal<[YearOverride]>('calendarYear');
export const getCandidateQuery = defineQuery<CandidateState>('getCandidate');
/** The rules this candidate's personal matters are classified by (the cycle's policy at its start). */
export const getPersonalMattersRulesQuery = defineQuery<I.PersonalMattersRules>('getPersonalMattersRules');
