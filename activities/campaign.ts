/**
 * What a campaign needs from outside its workflow: the next jurisdictions to launch (paged, so a
 * province of thousands never sits in one history) and the start of each cycle.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Policy } from '../domain/policy.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import type { Position } from '../domain/cycle.js';
import { cycleWorkflowType, type CycleWorkflow } from '../workflows/contracts/cycle.js';
import { cycleStartOptions } from './cycle-start.js';
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

    /**
     * Starts one cycle of the campaign, with the same options as POST /v1/cycles; a cycle already
     * started (a retry, a restart) is fine.
     */
    async startCampaignCycle(
      campaignId: string,
      j: Jurisdiction,
      term: string,
      template: { positions: Position[]; committees: { standing: number; full: number }; policy: Policy },
      actor: Actor,
    ): Promise<string> {
      const options = cycleStartOptions(
        { jurisdiction: j, term, ...template, startedBy: actor, campaignId },
        taskQueue,
      );
      try {
        await client.workflow.start<CycleWorkflow>(cycleWorkflowType, options);
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
      return options.args[0].cycleId;
    },
  };
}
