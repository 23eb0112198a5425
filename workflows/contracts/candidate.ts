/**
 * The candidate's contract: the Updates, Signals and Queries of a candidate's inspection workflow,
 * its input and its state as queried. A leaf module (domain types only), imported by the workflow,
 * the activities that start or stop candidates, and the API.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { YearOverride } from '../../domain/calendar.js';
import type { DossierOutcome } from '../../domain/cycle.js';
import type * as I from '../../domain/inspection.js';
import type { Policy } from '../../domain/policy.js';
import type { Actor } from '../../domain/schemas.js';

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

export const completeDossierUpdate = defineUpdate<CandidateState, [I.DossierInput, Actor]>('completeDossier');
export const stopCandidateUpdate = defineUpdate<CandidateState, [I.StopInput, Actor]>('stopCandidate');
export const recordInspectionUpdate = defineUpdate<CandidateState, [unknown, Actor]>('recordInspection');
export const recordPersonalMattersUpdate = defineUpdate<CandidateState, [unknown, Actor]>('recordPersonalMatters');
export const submitVerdictUpdate = defineUpdate<CandidateState, [unknown, Actor]>('submitVerdict');
/** The cycle passes on a calendar year an organizer supplied: review deadlines use the same calendar. */
export const calendarYearSignal = defineSignal<[YearOverride]>('calendarYear');
export const getCandidateQuery = defineQuery<CandidateState>('getCandidate');
/** The rules this candidate's personal matters are classified by (the cycle's policy at its start). */
export const getPersonalMattersRulesQuery = defineQuery<I.PersonalMattersRules>('getPersonalMattersRules');
