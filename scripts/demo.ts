/**
 * `npm run demo` (with `npm start` running): loads the sample tree, launches a campaign over
 * Shenzhen's sub-districts (街道) on a compressed calendar, and plays the organizers, the inspection
 * team, the discipline commission, a supervision team and the report desk through the public API,
 * so you can watch cycles move through their stages in the Temporal UI and the ledger fill in. It
 * ends when every demo cycle is closed.
 */
import { readFileSync } from 'node:fs';
import { signToken, type Principal } from '../api/auth.js';
import { jurisdictionOfCycle } from '../domain/ids.js';
import { WU_CHA } from '../domain/supervision.js';
import { authConfig } from './local-secrets.js';
import { createSimulator, quickTemplate } from './simulator.js';

const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
const ui = process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? 8233}`;
const ROOT = '440300';
const say = (line: string) => console.log(`[demo] ${line}`);

async function main() {
  const ready = await fetch(`${api}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!ready) {
    console.error(
      `demo: the stack is not answering at ${api}/readyz; start it with npm start (in another terminal) and run the demo again`,
    );
    process.exit(69);
  }
  const auth = authConfig();
  const token = (roles: Principal['roles'], sub: string, scope = '440000') =>
    signToken(auth, { sub, roles, scope }, 3600);
  // The demo loads the sample tree with its root, which needs the operator's root authority.
  const organizer = await signToken(
    auth,
    { sub: '深圳市委组织部（演示）', roles: ['organizer'], scope: '440000', rootAuthority: true },
    3600,
  );

  const simulator = createSimulator({
    baseUrl: api,
    organizerToken: organizer,
    reviewerToken: await token(['reviewer:discipline'], '纪委监委（演示）'),
    patienceMs: 10 * 60_000,
    // A person's pace by default: one act every 3 s (DEMO_PACE_MS=0 runs flat out).
    pauseMs: Number(process.env.DEMO_PACE_MS ?? 3000),
    log: (l) => say(l),
  });
  const call = simulator.call;

  const tree = JSON.parse(readFileSync(new URL('../db/seeds/shenzhen.json', import.meta.url), 'utf8'));
  const seeded = await call('PUT', '/v1/jurisdictions', organizer, tree);
  if (seeded.status !== 200)
    throw new Error(`loading the sample tree: ${seeded.status} ${JSON.stringify(seeded.body)}`);
  say(`sample tree loaded: ${tree.jurisdictions.length} jurisdictions (广东省 → 深圳市 → districts → 街道)`);

  // A fresh term each run, so the demo can be run again on the same stack.
  let term = Number(process.env.DEMO_TERM ?? 2026);
  while ((await call('GET', `/v1/campaigns/${ROOT}:township:${term}`, organizer)).status === 200) term += 1;
  const secondsPerWorkingDay = Number(process.env.DEMO_SECONDS_PER_DAY ?? 5);
  const started = await call('POST', '/v1/campaigns', organizer, {
    rootId: ROOT,
    level: 'township',
    term: String(term),
    window: 4,
    template: quickTemplate(secondsPerWorkingDay),
  });
  if (started.status !== 201)
    throw new Error(`starting the campaign: ${started.status} ${JSON.stringify(started.body)}`);
  const campaignId = started.body.campaignId as string;
  say(
    `campaign ${campaignId} started: every 街道 under 深圳市, 4 at a time, one working day = ${secondsPerWorkingDay} s`,
  );
  say(`watch it in the console: ${api}/console?campaign=${encodeURIComponent(campaignId)}`);
  say(
    // The campaign's own workflow and every cycle it launched (each carries HuanjieCampaign).
    `       and in Temporal: ${ui}/namespaces/default/workflows?query=${encodeURIComponent(`HuanjieCampaign = '${campaignId}' OR WorkflowId = '${started.body.workflowId as string}'`)}`,
  );
  say(`          ${api}/docs  ·  GET ${api}/v1/campaigns/${campaignId}  ·  GET ${api}/v1/ledger?scope=${ROOT}`);

  // A 街道's checkpoints are filed by its district's team, the level directly above it.
  const teams = new Map<string, Promise<string>>();
  const teamOf = (cycleId: string) => {
    const county = jurisdictionOfCycle(cycleId).slice(0, 6);
    if (!teams.has(county)) teams.set(county, token(['supervisor'], `${county} 换届风气监督组（演示）`, county));
    return teams.get(county)!;
  };
  const intake = await token(['intake'], '12380（演示）');
  const investigator = await token(['investigator'], '查核组（演示）');

  // The supervision team and the report desk act beside the organizers.
  const sideShow = (async () => {
    const filed = new Set<string>();
    let reports = 0;
    while (!(await call('GET', `/v1/campaigns/${campaignId}`, organizer)).body?.done) {
      const { body } = await call('GET', `/v1/cycles?scope=${ROOT}&level=township&status=running`, organizer);
      for (const c of (body?.cycles ?? []) as { id: string; stage: string }[]) {
        if (!c.id.endsWith(`:${term}`)) continue;
        const key = `${c.id}/launch`;
        if (!filed.has(key)) {
          const supervisor = await teamOf(c.id);
          const res = await call('POST', `/v1/cycles/${c.id}/supervision/checkpoints/launch`, supervisor, {
            checklist: Object.fromEntries(Object.keys(WU_CHA).map((k) => [k, { status: 'satisfactory', note: '' }])),
          });
          if (res.status === 200) {
            filed.add(key);
            await call('POST', `/v1/cycles/${c.id}/supervision/monitoring`, supervisor, {
              point: `${c.id} 监测点`,
              scores: { selection: 95, correction: 94, discipline: 97, conduct: 96 },
            });
          }
        }
        if (reports < 3 && c.stage === 'recommendation') {
          reports += 1;
          const r = await call('POST', '/v1/reports', intake, {
            channel: (['phone', 'web', 'wechat'] as const)[reports - 1],
            category: 'intercession',
            text: '反映有人为候选人打招呼（演示）',
            receivedAt: new Date().toISOString(),
            target: { type: 'jurisdiction', jurisdictionId: jurisdictionOfCycle(c.id) },
          });
          if (r.status === 201) {
            say(`report ${r.body.reportId} registered on ${jurisdictionOfCycle(c.id)}`);
            await call('POST', `/v1/reports/${r.body.reportId}/findings`, investigator, {
              finding: 'unsubstantiated',
              summary: '经查不属实，予以澄清（演示）',
            });
          }
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  const progress = setInterval(() => {
    void call('GET', `/v1/campaigns/${campaignId}`, organizer).then(({ body }) => {
      if (body)
        say(
          `progress: launched ${body.launched}/${body.targets}, closed ${body.closed}, by stage ${JSON.stringify(body.byStage)}`,
        );
    });
  }, 5000);
  const closed = await simulator.runCampaign(campaignId, 4);
  await sideShow;
  clearInterval(progress);

  const ledger = (await call('GET', `/v1/ledger?scope=${ROOT}`, organizer)).body;
  say(`all ${closed.length} cycles closed.`);
  say(
    `ledger for 深圳市 today: candidates ${ledger.subtree.candidates}, integrity opinions ${ledger.subtree.integrityOpinions} (${ledger.subtree.percent.integrityOpinions}%), reports closed ${ledger.subtree.reportsClosed}/${ledger.subtree.reportsReceived}, cycles by stage ${JSON.stringify(ledger.subtree.byStage)}`,
  );
  say(`timelines: GET ${api}/v1/cycles/${closed[0]}/timeline — the Temporal UI keeps every execution: ${ui}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`demo: ${e.message}`);
    process.exit(1);
  },
);
