/**
 * The report's contract: the Updates and Query of a report's workflow, its input and its state. A
 * leaf module (domain types only). Neither carries the reporter, the text or an official's name.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CalendarSpec } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import type * as R from '../../domain/reports.js';
import type { Actor } from '../../domain/schemas.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const reportWorkflowType = 'reportWorkflow';
export type ReportWorkflow = (input: ReportInput) => Promise<ReportState>;

export interface ReportInput {
  reportId: string;
  jurisdictionId: string;
  /** Ids only: an official's name stays sealed in Postgres. */
  target:
    | { type: 'candidate'; cycleId: string; personId: string }
    | { type: 'official' | 'jurisdiction'; jurisdictionId: string };
  category: R.Category;
  channel: R.Channel;
  receivedAt: number;
  policy: Pick<Policy, 'reportDeadlines'> & { calendar: CalendarSpec };
  registeredBy: Actor;
}

export interface ReportState {
  reportId: string;
  status: 'verifying' | 'closed';
  triage: R.Triage;
  triageRule: string;
  unit: string;
  deadline?: number;
  overdueAt?: number;
  escalatedAt?: number;
  hold?: string;
  finding?: R.Finding;
  consequence?: R.Consequence;
  effect?: string;
  closedAt?: number;
  closedOnTime?: boolean;
  waitingFor: string;
}

export const triageReportUpdate = defineUpdate<ReportState, [R.TriageInput, Actor]>('triageReport');
/** Takes a finding whose summary is sealed in Postgres first: only its id (`summaryRef`) travels. */
export const submitFindingUpdate = defineUpdate<ReportState, [R.FindingMessage, Actor]>('submitFinding');
export const getReportQuery = defineQuery<ReportState>('getReport');
