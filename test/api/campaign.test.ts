/**
 * A campaign over more than 100 townships runs to completion on a compressed calendar, in waves,
 * continuing as new along the way; every cycle closes with its official elected, and no history
 * grows past the warning size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId } from '../../domain/eager/campaign.js';
import { createSimulator, quickTemplate } from '../../scripts/simulator.js';
import { SA } from '../../temporal/search-attributes.js';
import type { Jurisdiction } from '../../domain/eager/schemas.js';
import { eventually, recordHistory, startStack, type Stack, provisionTree } from '../helpers.js';
import { expectStatus, ok, read } from './client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
});
afterAll(() => stack?.stop());

/**
 * A city (a root the operator creates) with one county and its townships `<county>001…`, loaded by the
 * city's organizer, who is answered.
 */
async function cityWithTownships(
  city: { id: string; name: string },
  county: { id: string; name: string },
  townships: number,
  organizerName: string,
) {
  const tree: Jurisdiction[] = [
    { ...city, level: 'city', parentId: null },
    { ...county, level: 'county', parentId: city.id },
    ...Array.from({ length: townships }, (_, i) => ({
      id: `${county.id}${String(i + 1).padStart(3, '0')}`,
      name: `${county.name}-${i + 1}街道`,
      level: 'township' as const,
      parentId: county.id,
    })),
  ];
  await provisionTree(
    stack.pool,
    tree.filter((j) => j.parentId === null),
  );
  const organizer = stack.as(await stack.token(['organizer'], city.id, organizerName));
  expect((await read(organizer.v1.jurisdictions.$put({ json: { jurisdictions: tree }, header: {} }))).status).toBe(200);
  return organizer;
}

/** Reads a campaign's progress until `done` holds of it (a minute at most). */
function settles(organizer: ReturnType<Stack['as']>, campaignId: string) {
  return async (done: (p: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 240; i++) {
      const p = await read(organizer.v1.campaigns[':campaignId'].$get({ param: { campaignId } }));
      if (p.status === 200 && done(p.body)) return p.body;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`campaign ${campaignId} did not settle`);
  };
}

describe("a campaign over a province's townships", () => {
  it('launches 105 cycles in waves of at most 25, and every one closes with an elected official', async () => {
    const counties = ['330502', '330503', '330521'];
    const tree: Jurisdiction[] = [
      { id: '330000', name: '浙江省', level: 'province', parentId: null },
      { id: '330500', name: '湖州市', level: 'city', parentId: '330000' },
      ...counties.map((id, i) => ({
        id,
        name: ['吴兴区', '南浔区', '德清县'][i]!,
        level: 'county' as const,
        parentId: '330500',
      })),
      ...counties.flatMap((county) =>
        Array.from({ length: 35 }, (_, n) => ({
          id: `${county}${String(n + 1).padStart(3, '0')}`,
          name: `${county}-${n + 1}镇`,
          level: 'township' as const,
          parentId: county,
        })),
      ),
    ];
    const organizer = await stack.token(['organizer'], '330500', '湖州市委组织部');
    // The root is the operator's to create; the caller scoped to it loads the rest.
    await provisionTree(
      stack.pool,
      tree.filter((j) => j.parentId === null),
    );
    const province = stack.as(await stack.token(['organizer'], '330000'));
    expect((await read(province.v1.jurisdictions.$put({ json: { jurisdictions: tree }, header: {} }))).status).toBe(
      200,
    );

    // The API starts campaigns with the default history limit; this test wants continue-as-new to happen, so it starts one directly with a low limit.
    const { campaignWorkflow } = await import('../../workflows/campaign.js');
    const { policySchema } = await import('../../domain/eager/policy.js');
    const template = quickTemplate(0.05);
    const campaignId = '330500:township:2026';
    await stack.client.workflow.start(campaignWorkflow, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: stack.taskQueue,
      args: [
        {
          campaignId,
          rootId: '330500',
          level: 'township',
          term: '2026',
          window: 25,
          maxHistoryEvents: 600,
          template: { ...template, policy: policySchema.parse(template.policy) },
          startedBy: { id: '湖州市委组织部', role: 'organizer' },
        },
      ],
    });
    const campaign = stack.as(organizer).v1.campaigns[':campaignId'];
    const peak = { inFlight: 0 };
    const watching = (async () => {
      for (;;) {
        const p = await read(campaign.$get({ param: { campaignId } }));
        if (p.status === 200) peak.inFlight = Math.max(peak.inFlight, p.body.inFlight.length);
        if (p.status === 200 && p.body.done) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const simulator = createSimulator({
      baseUrl: stack.api.url,
      organizerToken: organizer,
      reviewerToken: await stack.token(['reviewer:discipline'], '330500', '湖州市纪委监委'),
    });
    const closed = await simulator.runCampaign(campaignId, 25);
    await watching;
    expect(closed).toHaveLength(105);

    const progress = await ok(campaign.$get({ param: { campaignId } }));
    expect(progress).toMatchObject({
      done: true,
      launched: 105,
      closed: 105,
      aborted: 0,
      inFlight: [],
      targets: 105,
      byStatus: { closed: 105 },
      byStage: { closed: 105 },
    });
    expect(progress.run).toBeGreaterThan(1); // it continued as new
    expect(peak.inFlight).toBeLessThanOrEqual(25);

    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE jsonb_array_length(results->0->'elected') = 1)::int AS elected
       FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id WHERE '330500' = ANY(j.ancestors) AND c.term = '2026' AND c.status = 'closed'`,
    );
    expect(rows[0]).toEqual({ n: 105, elected: 105 });

    // The day's ledger for the city agrees with the cycles' record: 105 candidates, all reviewed, all closed.
    const { ledgerRollupWorkflow } = await import('../../workflows/ledger.js');
    const { beijingDate } = await import('../../domain/calendar.js');
    await stack.client.workflow.execute(ledgerRollupWorkflow, {
      workflowId: `ledger-campaign-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ day: beijingDate(Date.now()) }],
    });
    const ledger = await ok(stack.as(organizer).v1.ledger.$get({ query: { scope: '330500' } }));
    expect(ledger.source).toBe('computed'); // today answers live; the snapshot is for later days
    const { rows: people } = await stack.pool.query(
      `SELECT count(*)::int AS n FROM cycle_people p JOIN cycles c ON c.id = p.cycle_id JOIN jurisdictions j ON j.id = c.jurisdiction_id
       WHERE '330500' = ANY(j.ancestors) AND c.term = '2026' AND p.candidate_status IS NOT NULL`,
    );
    expect(ledger.subtree).toMatchObject({
      candidates: people[0].n,
      integrityOpinions: 105,
      personalMattersChecked: 105,
      filesReviewed: 105,
      cycles: 105,
      byStage: { closed: 105 },
      percent: { integrityOpinions: 100, personalMattersChecked: 100, filesReviewed: 100 },
    });
    expect(people[0].n).toBe(105);

    // No history near the 10,240-event warning: every run of the campaign, and every cycle.
    const sizes: number[] = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(campaignId)}'` })) {
      sizes.push(w.historyLength);
    }
    // Each cycle names its campaign in a search attribute, so the UI can list one campaign's cycles.
    const campaigns = new Set<string | undefined>();
    for (const id of closed) {
      const d = await stack.client.workflow.getHandle(`cycle:${id}`).describe();
      sizes.push(d.historyLength);
      campaigns.add(d.typedSearchAttributes.get(SA.campaign));
    }
    expect([...campaigns]).toEqual([campaignId]);
    expect(sizes.length).toBeGreaterThan(105);
    expect(Math.max(...sizes)).toBeLessThan(10_240);
  }, 600_000);
});

describe('a campaign over places one of which already has its cycle', () => {
  it('launches and waits for its own cycles only: the one started before it is counted apart, and it completes', async () => {
    const organizer = await cityWithTownships(
      { id: '350700', name: '南平市' },
      { id: '350702', name: '延平区' },
      3,
      '南平市委组织部',
    );
    const template = quickTemplate(60);
    const term = '2027';
    // The county started one township's cycle itself, before the city's campaign.
    const direct = '350702001:2027';
    expectStatus(
      await read(organizer.v1.cycles.$post({ json: { jurisdictionId: '350702001', term, ...template } })),
      201,
    );

    const campaignId = `350700:township:${term}`;
    expectStatus(
      await read(
        organizer.v1.campaigns.$post({ json: { rootId: '350700', level: 'township', term, window: 5, template } }),
      ),
      201,
    );
    const campaign = organizer.v1.campaigns[':campaignId'];
    const settled = settles(organizer, campaignId);
    const launched = await settled((p) => p.exhausted === true && (p.inFlight as string[]).length >= 2);
    // campaign-own-cycles-only: -v8 recorded before the patch (the old code counts all three), -v9 after.
    await recordHistory(stack.client, campaignWorkflowId(campaignId), 'campaign-launched-v9');
    expect(launched).toMatchObject({ launched: 2, alreadyStarted: 1 });
    expect([...launched.inFlight].sort()).toEqual(['350702002:2027', '350702003:2027']);

    // Its own cycles end; the campaign completes without waiting on the one it never started.
    for (const cycleId of launched.inFlight)
      await ok(
        organizer.v1.cycles[':cycleId'].abort.$post({ param: { cycleId }, json: { reason: '测试结束' }, header: {} }),
      );
    const done = await settled((p) => p.done === true);
    expect(done).toMatchObject({ launched: 2, alreadyStarted: 1, aborted: 2, closed: 0, inFlight: [] });
    await recordHistory(stack.client, campaignWorkflowId(campaignId), 'campaign-completed-v9');
    // Sent again once it finished, its start answers with what exists: the same body 200, another 409, and
    // no second run (found from outside: both were 201, and the new run waited for ever on cycles that
    // had ended, its finished progress lost).
    const again = await read(
      organizer.v1.campaigns.$post({ json: { rootId: '350700', level: 'township', term, window: 5, template } }),
    );
    expect(again.status).toBe(200);
    const other = await read(
      organizer.v1.campaigns.$post({ json: { rootId: '350700', level: 'township', term, window: 4, template } }),
    );
    expectStatus(other, 409);
    const runs: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(campaignId)}'` }))
      runs.push(w.runId);
    expect(runs).toHaveLength(1);
    expect(await ok(campaign.$get({ param: { campaignId } }))).toMatchObject({ done: true, launched: 2, aborted: 2 });
    const d = await stack.client.workflow.getHandle(`cycle:${direct}`).describe();
    expect(d.typedSearchAttributes.get(SA.campaign)).toBeUndefined();
    await ok(
      organizer.v1.cycles[':cycleId'].abort.$post({
        param: { cycleId: direct },
        json: { reason: '测试结束' },
        header: {},
      }),
    );
  }, 120_000);
});

describe('a campaign over places added while it runs', () => {
  it('launches a place added where its cursor had passed, before it says done', async () => {
    // Found from outside: targets are read in id order, so a place added below the cursor (an id that sorts
    // before the last one launched) was never launched, while the campaign said done and counted it a target.
    const organizer = await cityWithTownships(
      { id: '350800', name: '龙岩市' },
      { id: '350802', name: '新罗区' },
      2,
      '龙岩市委组织部',
    );
    const template = quickTemplate(60);
    const term = '2027';
    const campaignId = `350800:township:${term}`;
    expectStatus(
      await read(
        organizer.v1.campaigns.$post({ json: { rootId: '350800', level: 'township', term, window: 5, template } }),
      ),
      201,
    );
    const settled = settles(organizer, campaignId);
    await settled((p) => p.exhausted === true && (p.inFlight as string[]).length === 2);
    // A 功能区 added under the county: its id sorts before both townships the cursor passed.
    const late = { id: '350802-A', name: '新罗-开发区', level: 'township' as const, parentId: '350802' };
    expect((await read(organizer.v1.jurisdictions.$put({ json: { jurisdictions: [late] }, header: {} }))).status).toBe(
      200,
    );
    const abortAll = async (ids: string[]) => {
      for (const cycleId of ids)
        await ok(
          organizer.v1.cycles[':cycleId'].abort.$post({ param: { cycleId }, json: { reason: '测试结束' }, header: {} }),
        );
    };
    await abortAll(['350802001:2027', '350802002:2027']);
    const swept = await settled((p) => (p.inFlight as string[]).includes('350802-A:2027') || p.done === true);
    expect(swept).toMatchObject({ done: false, launched: 3, inFlight: ['350802-A:2027'] });
    // While the late place runs, another is added behind the cursor and its cycle started directly: the
    // campaign counts it started elsewhere, as it does a place it meets in its pages (found from outside: it
    // was counted in targets alone, neither launched nor alreadyStarted).
    const direct = { id: '350802-B', name: '新罗-园区', level: 'township' as const, parentId: '350802' };
    expect(
      (await read(organizer.v1.jurisdictions.$put({ json: { jurisdictions: [direct] }, header: {} }))).status,
    ).toBe(200);
    expectStatus(
      await read(organizer.v1.cycles.$post({ json: { jurisdictionId: direct.id, term, ...template } })),
      201,
    );
    await eventually(
      async () =>
        (await read(organizer.v1.cycles[':cycleId'].$get({ param: { cycleId: '350802-B:2027' } }))).status === 200,
    );
    await abortAll(['350802-A:2027']);
    const done = await settled((p) => p.done === true);
    expect(done).toMatchObject({ launched: 3, alreadyStarted: 1, aborted: 3, inFlight: [], targets: 4 });
    expect(done.byStatus).toEqual({ aborted: 3, running: 1 });
    await abortAll(['350802-B:2027']);
    // campaign-sweeps-late-places, campaign-visits-kept: the recorded run launches its late place after the
    // cursor's end and counts the one started directly (-v13 recorded before the visits were kept).
    await recordHistory(stack.client, campaignWorkflowId(campaignId), 'campaign-visits-v14');
  }, 120_000);
});
