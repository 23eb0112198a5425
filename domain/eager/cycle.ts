/** domain/cycle.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../cycle.js';

export * from '../cycle.js';
export const positionSchema = lazy.positionSchema();
export const startCycleSchema = lazy.startCycleSchema();
export const launchSchema = lazy.launchSchema();
export const analysisSchema = lazy.analysisSchema();
export const recommendationRoundSchema = lazy.recommendationRoundSchema();
export const standingCommitteeSchema = lazy.standingCommitteeSchema();
export const committeeVoteSchema = lazy.committeeVoteSchema();
export const dropNomineeSchema = lazy.dropNomineeSchema();
export const withdrawCandidateSchema = lazy.withdrawCandidateSchema();
export const approvalSchema = lazy.approvalSchema();
export const electionSchema = lazy.electionSchema();
export const holdSchema = lazy.holdSchema();
export const organizerHoldSchema = lazy.organizerHoldSchema();
export const releaseHoldSchema = lazy.releaseHoldSchema();
export const sourceReleaseHoldSchema = lazy.sourceReleaseHoldSchema();
export const reasonOnlySchema = lazy.reasonOnlySchema();
