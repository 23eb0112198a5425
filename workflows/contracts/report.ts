/**
 * The report's contract: the Updates and Query of a report's workflow, its input and its state. A
 * leaf module (domain types only). Neither carries the reporter, the text or an official's name.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CalendarSpec } from '../../domain/calendar.js';
import type { Policy } from '../../domain/policy.js';
import * as R from '../../domain/reports.js';
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

/**
 * The state a report's workflow starts from, by the same pure function on both sides: the workflow
 * builds it, and intake writes it as the report's projection, so a GET before the workflow's first
 * task (a busy worker) answers without asking the workflow.
 */
export function initialReportState(input: Pick<ReportInput, 'reportId' | 'target' | 'category'>): ReportState {
  const auto = R.autoTriage(input.target as R.ReportTarget, input.category);
  return {
    reportId: input.reportId,
    status: 'verifying',
    triage: auto.kind,
    triageRule: auto.rule,
    unit: '查核组',
    waitingFor: '',
  };
}

export const triageReportUpdate = defineUpdate<ReportState, [R.TriageInput, Actor]>('triageReport');
/** Takes a finding whose summary is sealed in Postgres first: only its id (`summaryRef`) travels. */
export const submitFindingUpdate = defineUpdate<ReportState, [R.FindingMessage, Actor]>('submitFinding');
export const getReportQuery = defineQuery<ReportState>('getReport');
