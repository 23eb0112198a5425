/**
 * The campaign's contract: the Signal and Query of a campaign workflow, its input and its state. A
 * leaf module (domain types only).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Position } from '../../domain/cycle.js';
import type { Policy } from '../../domain/policy.js';
import type { Actor } from '../../domain/schemas.js';

/** The workflow type, by name: start calls outside the worker use it instead of the function. */
export const campaignWorkflowType = 'campaignWorkflow';
export type CampaignWorkflow = (input: CampaignInput, carried?: CampaignState) => Promise<CampaignState>;

export interface CampaignInput {
  campaignId: string;
  rootId: string;
  level: string;
  term: string;
  window: number;
  template: { positions: Position[]; committees: { standing: number; full: number }; policy: Policy };
  startedBy: Actor;
  /** Continue as new past this many history events (the server also suggests it at 4,096). */
  maxHistoryEvents?: number;
}

export interface CampaignState {
  campaignId: string;
  cursor: string | null;
  exhausted: boolean;
  inFlight: string[];
  /** Cycles that reported their end before the campaign had counted them in flight. */
  finishedEarly: string[];
  launched: number;
  /**
   * Targets whose cycle of the term was already started, not by this campaign (directly, or by another
   * campaign): neither launched nor awaited. Absent in states carried from before it was counted.
   */
  alreadyStarted?: number;
  closed: number;
  aborted: number;
  /**
   * Whether the places this campaign meets are on record (campaign_visits), so its last pass reads the ones
   * it has not met: set by its first run since 12-07, absent in campaigns begun before.
   */
  visitsKept?: boolean;
  /** Runs of this campaign so far (continue-as-new starts the next). */
  run: number;
  done: boolean;
}

/** Each cycle of the campaign tells it when it ends, so the window moves on. */
export const cycleFinishedSignal = defineSignal<[{ cycleId: string; status: 'closed' | 'aborted' }]>('cycleFinished');
export const getCampaignQuery = defineQuery<CampaignState>('getCampaign');
