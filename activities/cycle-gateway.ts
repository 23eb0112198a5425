/**
 * Lets other processes (a report, later supervision and risks) act on a cycle through the cycle's
 * own validated Updates, so every rule and record of the cycle applies to them too. Each call has a
 * stable update id, so a retried activity is answered with the first result.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { activeNominees } from '../domain/cycle.js';
import { ErrorType } from '../domain/errors.js';
import { candidateWorkflowId, cycleWorkflowId } from '../domain/ids.js';
import type { Actor } from '../domain/schemas.js';
import type { Stage } from '../domain/stages.js';
import { stopCandidateUpdate } from '../workflows/contracts/candidate.js';
import {
  addHoldUpdate,
  dropNomineeUpdate,
  getStateQuery,
  releaseHoldUpdate,
  withdrawCandidateUpdate,
  type StageUpdate,
} from '../workflows/contracts/cycle.js';
import type { Pool } from './db.js';
import { createRecordActivities } from './record.js';

/** Done, with the cycle's version after the act when it was a cycle's Update (results recorded before it have none). */
export type GatewayResult = { done: true; what: string; version?: number } | { done: false; why: string };

/** A rejection that means "nothing to do here" (not in the cycle, already finished) rather than a fault. */
function notApplicable(e: unknown): string | undefined {
  if (e instanceof WorkflowNotFoundError) return 'the cycle or candidate is not running';
  const cause = e instanceof WorkflowUpdateFailedError ? e.cause : undefined;
  if (
    cause instanceof ApplicationFailure &&
    [ErrorType.NotFound, ErrorType.Closed, ErrorType.WrongStage, ErrorType.Duplicate].includes(cause.type as never)
  )
    return cause.message;
  return undefined;
}

async function attempt(run: () => Promise<string | { what: string; version: number }>): Promise<GatewayResult> {
  try {
    const result = await run();
    return typeof result === 'string' ? { done: true, what: result } : { done: true, ...result };
  } catch (e) {
    const why = notApplicable(e);
    if (why !== undefined) return { done: false, why };
    throw e;
  }
}

export function createCycleGatewayActivities({ client, pool }: { client: Client; pool: Pool }) {
  const cycle = (cycleId: string) => client.workflow.getHandle(cycleWorkflowId(cycleId));
  /** The acts an input led to, left to its sender (contracts/cycle.ts CycleActForRecord), go on the record. */
  const records = createRecordActivities({ pool });
  /** Sends the input and records what it led to; answers the cycle's version with the input applied. */
  const send = async <I>(cycleId: string, update: StageUpdate<I>, input: I, actor: Actor, updateId: string) => {
    const accepted = await cycle(cycleId).executeUpdate(update, { args: [input, actor], updateId });
    await records.recordCycleAnswer(accepted.forRecord);
    return accepted.version;
  };
  return {
    async holdPerson(
      cycleId: string,
      personId: string,
      hold: { name: string; reason: string; source: 'report' | 'supervision' | 'risk' },
      actor: Actor,
    ): Promise<GatewayResult> {
      return attempt(async () => {
        const version = await send(cycleId, addHoldUpdate, { ...hold, personId }, actor, `${hold.name}:hold`);
        return { what: `hold ${hold.name} on ${personId}`, version };
      });
    },

    /** A cycle-wide hold, optionally only on leaving one stage (a high risk or finding "holds its stage"). */
    async holdCycle(
      cycleId: string,
      hold: { name: string; reason: string; source: 'supervision' | 'risk'; stage?: Stage },
      actor: Actor,
    ): Promise<GatewayResult> {
      return attempt(async () => {
        const version = await send(cycleId, addHoldUpdate, hold, actor, `${hold.name}:hold`);
        return { what: `hold ${hold.name}${hold.stage ? ` on the ${hold.stage} gate` : ''}`, version };
      });
    },

    async releaseHold(cycleId: string, name: string, resolution: string, actor: Actor): Promise<GatewayResult> {
      return attempt(async () => {
        await send(cycleId, releaseHoldUpdate, { name, resolution, bySource: true }, actor, `${name}:release`);
        return `hold ${name} released`;
      });
    },

    /**
     * Ends a candidacy wherever it is: a candidate in inspection is stopped, a nominee is dropped (the
     * next shortlisted moves up), and one who passed inspection but is no nominee — before the vote, a
     * reserve, one not chosen — is withdrawn, so they are never shortlisted nor moved up.
     */
    async stopCandidacy(
      cycleId: string,
      personId: string,
      reason: string,
      key: string,
      actor: Actor,
    ): Promise<GatewayResult> {
      return attempt(async () => {
        const state = await cycle(cycleId).query(getStateQuery);
        const candidate = state.candidates.find((c) => c.personId === personId);
        if (state.stage === 'inspection' && candidate?.status === 'inspecting') {
          await client.workflow.getHandle(candidateWorkflowId(cycleId, personId)).executeUpdate(stopCandidateUpdate, {
            args: [{ reason, cause: 'report' }, actor],
            updateId: `${key}:stop`,
          });
          return `candidate ${personId} stopped`;
        }
        const nominee = activeNominees(state).some((n) => n.personId === personId);
        if (!nominee && candidate?.status === 'passed') {
          await send(cycleId, withdrawCandidateUpdate, { personId, reason, cause: 'report' }, actor, `${key}:withdraw`);
          return `candidate ${personId} withdrawn`;
        }
        await send(cycleId, dropNomineeUpdate, { personId, reason, cause: 'report' }, actor, `${key}:drop`);
        return `nominee ${personId} dropped`;
      });
    },
  };
}
