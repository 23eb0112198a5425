/**
 * The risk's contract: the Update and Query of a high risk's workflow of direct supervision, its
 * input and its state. A leaf module (domain types only).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CalendarSpec } from '../../domain/calendar.js';
import type { Actor } from '../../domain/schemas.js';
import type { KeyStage } from '../../domain/stages.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const riskWorkflowType = 'riskWorkflow';
export type RiskWorkflow = (input: RiskWorkflowInput) => Promise<RiskState>;

export interface RiskWorkflowInput {
  riskId: string;
  jurisdictionId: string;
  cycleId?: string;
  stage: KeyStage;
  deadline: number | null;
  calendar: CalendarSpec;
  escalateAfterWorkingDays: number;
}

export interface RiskState {
  riskId: string;
  status: 'open' | 'resolved';
  hold?: string;
  overdueAt?: number;
  escalatedAt?: number;
  resolution?: string;
}

export const resolveRiskUpdate = defineUpdate<RiskState, [{ resolution: string }, Actor]>('resolveRisk');
export const getRiskQuery = defineQuery<RiskState>('getRisk');
