/**
 * Conduct supervision's contract: the Updates, Signal and Query of a cycle's supervision workflow,
 * its input and its state. A leaf module (domain types only).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { YearOverride } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import type { Actor } from '../../domain/schemas.js';
import type { Stage } from '../../domain/stages.js';
import type * as V from '../../domain/supervision.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const supervisionWorkflowType = 'supervisionWorkflow';
export type SupervisionWorkflow = (input: SupervisionInput) => Promise<SupervisionState>;

export interface SupervisionInput {
  cycleId: string;
  jurisdictionId: string;
  policy: Policy;
}

export interface CheckpointState {
  phase: V.Phase;
  openedAt: number;
  deadline?: number;
  agenda: string[];
  filedAt?: number;
  filedBy?: string;
  overdueAt?: number;
  escalatedAt?: number;
}

export interface FindingState {
  id: string;
  phase: V.Phase;
  severity: V.Severity;
  description: string;
  owner?: string;
  deadline?: number;
  status: 'recorded' | 'rectifying' | 'accepted';
  holds?: string;
  /** The filer's scope (from its token, since 12-05): the rectification is accepted from that level or above. */
  raisedIn?: string;
  overdueAt?: number;
  escalatedAt?: number;
}

export interface SupervisionState {
  cycleId: string;
  cycleStage: Stage;
  checkpoints: CheckpointState[];
  findings: FindingState[];
  /** Per stage: how many points reported, and the average of each indicator. */
  monitoring: Record<string, { points: number; averages: MonitoringInputScores }>;
}
export type MonitoringInputScores = V.MonitoringInput['scores'];

/**
 * The cycle tells its supervision the stages it acts on: checkpoints open at launch (its start),
 * inspection and election, and it ends when the cycle closes. (Before patch supervision-told-phases,
 * every stage the cycle entered.)
 */
export const cycleStageSignal = defineSignal<[Stage]>('cycleStage');
/**
 * A year the working-day calendar lacked, supplied to the cycle (its calendar-years input): checkpoints
 * due in it get their deadline then. (Before patch calendar-year-to-supervision, never told: they kept
 * none.)
 */
export const supervisionCalendarYearSignal = defineSignal<[YearOverride]>('calendarYear');
/**
 * Inputs whose act depends on the stage the cycle stands at (a finding's hold, a monitoring score)
 * carry it as the API read it from the cycle's record; absent in older histories, where supervision
 * was told every stage.
 */
export const fileCheckpointUpdate = defineUpdate<
  SupervisionState,
  [V.CheckpointInput & { phase: V.Phase }, Actor, Stage?]
>('fileCheckpoint');
export const acceptRectificationUpdate = defineUpdate<SupervisionState, [V.AcceptRectificationInput, Actor]>(
  'acceptRectification',
);
export const recordMonitoringUpdate = defineUpdate<SupervisionState, [V.MonitoringInput, Actor, Stage?]>(
  'recordMonitoring',
);
/**
 * A medium risk on the cycle, just registered (sent by the risk route): on the agenda of the election's
 * checkpoint if that one — the last — is open and unfiled; otherwise the next checkpoint to open takes
 * it, or none remains. The answer says which.
 */
export const takeRiskUpdate = defineUpdate<AgendaAnswer, [string]>('takeRisk');
export type AgendaAnswer = { phase: V.Phase; why?: undefined } | { phase?: undefined; why: string };
export const getSupervisionQuery = defineQuery<SupervisionState>('getSupervision');
