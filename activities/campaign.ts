/**
 * What a campaign needs from outside its workflow: the next jurisdictions to launch (paged, so a
 * province of thousands never sits in one history) and the start of each cycle.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { cycleId as makeCycleId, cycleWorkflowId } from '../domain/ids.js';
import type { Policy } from '../domain/policy.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import type { Position } from '../domain/cycle.js';
import { cycleWorkflowType, type CycleWorkflow } from '../workflows/contracts/cycle.js';
import type { Pool } from './db.js';

export function createCampaignActivities({
  pool,
  client,
  taskQueue,
}: {
  pool: Pool;
  client: Client;
  taskQueue: string;
}) {
  return {
    async nextCampaignTargets(
      rootId: string,
      level: string,
      afterId: string | null,
      limit: number,
    ): Promise<Jurisdiction[]> {
      const { rows } = await pool.query(
        `SELECT id, name, level, parent_id AS "parentId" FROM jurisdictions
         WHERE $1 = ANY(ancestors) AND level = $2 AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4`,
        [rootId, level, afterId, limit],
      );
      return rows;
    },

    /** Starts one cycle of the campaign; a cycle already started (a retry, a restart) is fine. */
    async startCampaignCycle(
      campaignId: string,
      j: Jurisdiction,
      term: string,
      template: { positions: Position[]; committees: { standing: number; full: number }; policy: Policy },
      actor: Actor,
    ): Promise<string> {
      const id = makeCycleId(j.id, term);
      try {
        await client.workflow.start<CycleWorkflow>(cycleWorkflowType, {
          workflowId: cycleWorkflowId(id),
          taskQueue,
          args: [
            {
              cycleId: id,
              jurisdiction: j,
              term,
              positions: template.positions,
              committees: template.committees,
              policy: template.policy,
              startedBy: actor,
              campaignId,
            },
          ],
          staticSummary: `${j.name} ${term} 换届`,
          typedSearchAttributes: [
            { key: SA.stage, value: 'launch' },
            { key: SA.status, value: 'running' },
            { key: SA.level, value: j.level },
            { key: SA.jurisdiction, value: j.id },
            { key: SA.term, value: term },
            { key: SA.cycle, value: id },
          ],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
      return id;
    },
  };
}
