/**
 * Starts and cancels a cycle's candidate workflows from outside the cycle. Started as children, each
 * candidate would add its start and its result to the cycle's history and tie it to one run; started
 * here, a thousand candidates cost the cycle one activity, and the cycle can continue as new while
 * they run (they signal their outcome to the cycle's workflow id).
 */
import { Context } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import { SYSTEM } from '../domain/events.js';
import { candidateWorkflowId } from '../domain/ids.js';
import type { Policy } from '../domain/policy.js';
import { SA } from '../temporal/search-attributes.js';
import {
  OPEN_INSPECTION_UPDATE_ID,
  candidateWorkflowType,
  openInspectionUpdate,
  stopCandidateUpdate,
  type CandidateWorkflow,
} from '../workflows/contracts/candidate.js';
import type { Pool } from './db.js';
import { createReviewActivities } from './reviews.js';

/** Why a candidate of an aborted cycle stopped, on its record. */
const CYCLE_ABORTED = '换届已中止，考察随之终止';

export interface CandidateLaunch {
  cycleId: string;
  jurisdiction: { id: string; name: string };
  term: string;
  policy: Policy;
  taskQueue: string;
  people: { personId: string; name: string; positionId: string; replaces?: string; firstPromotion?: boolean }[];
}

/** Enough in flight to keep the server busy, few enough not to swamp a shared dev server. */
const CONCURRENCY = 16;

async function eachBounded<T>(items: T[], run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        await run(items[i]!);
        Context.current().heartbeat(i);
      }
    }),
  );
}

export function createCandidateActivities({ client, pool }: { client: Client; pool: Pool }) {
  const reviews = createReviewActivities({ pool });
  return {
    /**
     * Starts each candidate with its `openInspection` (Update-with-start) and puts the start it answers
     * on the record — the candidate's row, its departments' tasks, the audit events — before the cycle
     * hears that inspection opened, so a candidate the cycle lists can always be read. Idempotent: a
     * retried activity meets a running candidate (the same update id answers the same start) or a
     * finished one (never started again: its own last record wrote its start).
     */
    async startCandidateWorkflows(launch: CandidateLaunch): Promise<number> {
      const { cycleId, jurisdiction, term, policy } = launch;
      await eachBounded(launch.people, async (p) => {
        const start = new WithStartWorkflowOperation<CandidateWorkflow>(candidateWorkflowType, {
          workflowId: candidateWorkflowId(cycleId, p.personId),
          taskQueue: launch.taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [
            {
              cycleId,
              jurisdictionId: jurisdiction.id,
              personId: p.personId,
              name: p.name,
              positionId: p.positionId,
              policy,
              ...(p.replaces ? { replaces: p.replaces } : {}),
              ...(p.firstPromotion ? { firstPromotion: true } : {}),
              starterRecordsStart: true,
              tasksNeverEmpty: true,
            },
          ],
          staticSummary: `${jurisdiction.name} ${term} 换届 · 考察对象 ${p.personId}（${p.positionId}）`,
          typedSearchAttributes: [
            { key: SA.cycle, value: cycleId },
            { key: SA.jurisdiction, value: jurisdiction.id },
            { key: SA.term, value: term },
            { key: SA.stage, value: 'inspection' },
          ],
        });
        try {
          const opened = await client.workflow.executeUpdateWithStart(openInspectionUpdate, {
            updateId: OPEN_INSPECTION_UPDATE_ID,
            startWorkflowOperation: start,
          });
          await reviews.recordCandidateAnswer(opened);
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        }
      });
      return launch.people.length;
    },

    /**
     * The cycle was aborted: its candidates still in inspection stop through their own stop input, so
     * the stop is on each one's record (its dossier says stopped, its departments' open tasks close,
     * the cycle hears the outcome) — a cancellation would end the workflow and leave them "inspecting"
     * with tasks open in every inbox. One already finished refuses the stop (CLOSED): nothing to do.
     * (The activity keeps its name: it is in recorded histories.)
     */
    async cancelCandidateWorkflows(cycleId: string, personIds: string[]): Promise<void> {
      await eachBounded(personIds, async (personId) => {
        try {
          await client.workflow.getHandle(candidateWorkflowId(cycleId, personId)).executeUpdate(stopCandidateUpdate, {
            args: [{ reason: CYCLE_ABORTED, cause: 'other' }, SYSTEM],
            updateId: `cycle-aborted:${cycleId}:${personId}`,
          });
        } catch (e) {
          if (e instanceof WorkflowNotFoundError) return; // finished meanwhile
          if (
            e instanceof WorkflowUpdateFailedError &&
            (e.cause as ApplicationFailure | undefined)?.type === ErrorType.Closed
          )
            return;
          throw e;
        }
      });
    },
  };
}
