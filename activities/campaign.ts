/**
 * What a campaign needs from outside its workflow: the next jurisdictions to launch (paged, so a
 * province of thousands never sits in one history) and the start of each cycle.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import type { CampaignInput } from '../workflows/contracts/campaign.js';
import { cycleWorkflowType, type CycleWorkflow } from '../workflows/contracts/cycle.js';
import { cycleStartOptions } from './cycle-start.js';
import type { Pool } from './db.js';

/** Every cycle of a campaign starts from its template (the campaign's own input). */
type CampaignTemplate = CampaignInput['template'];

export function createCampaignActivities({
  pool,
  client,
  taskQueue,
}: {
  pool: Pool;
  client: Client;
  taskQueue: string;
}) {
  async function launch(
    campaignId: string,
    j: Jurisdiction,
    term: string,
    template: CampaignTemplate,
    actor: Actor,
  ): Promise<{ cycleId: string; mine: boolean }> {
    const options = cycleStartOptions({ jurisdiction: j, term, ...template, startedBy: actor, campaignId }, taskQueue);
    const cycleId = options.args[0].cycleId;
    let mine = true;
    try {
      await client.workflow.start<CycleWorkflow>(cycleWorkflowType, options);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      const there = await client.workflow.getHandle(options.workflowId).describe();
      mine = there.typedSearchAttributes.get(SA.campaign) === campaignId;
    }
    // The campaign has met this place: its last pass reads the places it has not met from here.
    await pool.query(
      `INSERT INTO campaign_visits (campaign_id, jurisdiction_id, cycle_id, mine) VALUES ($1, $2, $3, $4)
       ON CONFLICT (campaign_id, jurisdiction_id) DO NOTHING`,
      [campaignId, j.id, cycleId, mine],
    );
    return { cycleId, mine };
  }

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
     * Places of the level under the root the campaign has not met (campaign_visits), in id order: what a
     * campaign launches, or counts started elsewhere, once its cursor has run to the end (places added
     * behind it).
     */
    async campaignPlacesNotMet(
      campaignId: string,
      rootId: string,
      level: string,
      limit: number,
    ): Promise<Jurisdiction[]> {
      const { rows } = await pool.query(
        `SELECT j.id, j.name, j.level, j.parent_id AS "parentId" FROM jurisdictions j
         WHERE $2 = ANY(j.ancestors) AND j.level = $3
           AND NOT EXISTS (SELECT 1 FROM campaign_visits v WHERE v.campaign_id = $1 AND v.jurisdiction_id = j.id)
         ORDER BY j.id LIMIT $4`,
        [campaignId, rootId, level, limit],
      );
      return rows;
    },

    /**
     * Places of the level under the root with no cycle of the term on record (but those in `except`), in
     * id order: the last pass of a campaign that began before its visits were kept (campaignPlacesNotMet).
     */
    async campaignPlacesWithoutCycle(
      rootId: string,
      level: string,
      term: string,
      except: string[],
      limit: number,
    ): Promise<Jurisdiction[]> {
      const { rows } = await pool.query(
        `SELECT j.id, j.name, j.level, j.parent_id AS "parentId" FROM jurisdictions j
         WHERE $1 = ANY(j.ancestors) AND j.level = $2 AND j.id <> ALL($4::text[])
           AND NOT EXISTS (SELECT 1 FROM cycles c WHERE c.jurisdiction_id = j.id AND c.term = $3)
         ORDER BY j.id LIMIT $5`,
        [rootId, level, term, except, limit],
      );
      return rows;
    },

    /**
     * Starts one cycle of the campaign, with the same options as POST /v1/cycles; a cycle already
     * started (a retry, a restart) is fine. Runs from before patch campaign-own-cycles-only call it.
     */
    async startCampaignCycle(
      campaignId: string,
      j: Jurisdiction,
      term: string,
      template: CampaignTemplate,
      actor: Actor,
    ): Promise<string> {
      return (await launch(campaignId, j, term, template, actor)).cycleId;
    },

    /**
     * Starts one cycle of the campaign and says whether it is the campaign's own: started now, or
     * before by this campaign (a retried activity, a new run). A cycle of the term already there from
     * elsewhere (a direct start, another campaign) is not: it will never tell this campaign it ended
     * (found from outside: such a cycle was counted launched and held a place in the window for good).
     */
    launchCampaignCycle: launch,
  };
}
