/**
 * Conduct supervision and the risk register on the real stack: gates held by a high risk and a
 * high-severity finding, a missed checkpoint escalated, a medium risk on the next checkpoint's
 * agenda, monitoring scores, and a Liaoning-sized register rolled up a province.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WU_CHA } from '../../domain/supervision.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack, provisionTree } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
let organizer: string;
let cityOrganizer: string;
let supervisor: string;
const CYCLE_ID = '440309:2026';
const CYCLE = `/v1/cycles/${CYCLE_ID}`;
const allSatisfactory = Object.fromEntries(Object.keys(WU_CHA).map((k) => [k, { status: 'satisfactory', note: '' }]));

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440309', '龙华区委组织部');
  cityOrganizer = await stack.token(['organizer'], '440300', '深圳市委组织部');
  supervisor = await stack.token(['supervisor'], '440300', '市换届风气监督组');
});
afterAll(() => stack?.stop());

const state = async () => (await stack.call('GET', CYCLE, { token: organizer })).body;
const supervision = async () => (await stack.call('GET', `${CYCLE}/supervision`, { token: supervisor })).body;
const post = (path: string, body: unknown, token = organizer) => stack.call('POST', path, { token, body });

describe("supervision and risks hold a cycle's gates", () => {
  let mediumRisk: string;
  let highRisk: string;

  it('escalates a checkpoint nobody filed, and still takes it afterwards', async () => {
    // A working day is a second: the launch checkpoint is due 5 s after the cycle starts.
    expect(
      (
        await post(
          '/v1/cycles',
          S.startBody('440309', '2026', { calendar: { kind: 'compressed', secondsPerWorkingDay: 1 } }),
        )
      ).status,
    ).toBe(201);
    const escalated = await eventually(
      async () => (await supervision()).checkpoints?.find((c: any) => c.phase === 'launch' && c.escalatedAt),
      15_000,
    );
    expect(escalated.overdueAt).toBeLessThanOrEqual(escalated.escalatedAt);
    expect(escalated.filedAt).toBeUndefined();
    const { rows } = await stack.pool.query(
      `SELECT recipient, subject FROM notifications WHERE body = $1 ORDER BY created_at`,
      [`cycle ${CYCLE_ID}, checkpoint launch`],
    );
    expect(rows).toEqual([
      { recipient: 'supervisor', subject: '督查逾期未报' },
      { recipient: 'upper-level', subject: '督查逾期，提请上级' },
    ]);
    const late = await post(`${CYCLE}/supervision/checkpoints/launch`, { checklist: allSatisfactory }, supervisor);
    expect(late.status).toBe(200);
    expect(late.body.checkpoints[0].filedAt).toBeGreaterThan(escalated.escalatedAt);
    expect(
      (await post(`${CYCLE}/supervision/checkpoints/launch`, { checklist: allSatisfactory }, supervisor)).status,
    ).toBe(409);
    expect(
      (await post(`${CYCLE}/supervision/checkpoints/election`, { checklist: allSatisfactory }, supervisor)).body.error
        .code,
    ).toBe('WRONG_STAGE');
  });

  it("puts a medium risk on the next checkpoint's agenda, which must answer it", async () => {
    const medium = await post('/v1/risks', {
      jurisdictionId: '440309',
      cycleId: CYCLE_ID,
      stage: 'recommendation',
      category: 'sabotage',
      level: 'medium',
      description: '有人散布不实言论干扰推荐',
      measures: ['加强舆情监测'],
      owner: '区委宣传部',
    });
    expect(medium.status).toBe(201);
    mediumRisk = medium.body.riskId;
    highRisk = (
      await post('/v1/risks', {
        jurisdictionId: '440309',
        cycleId: CYCLE_ID,
        stage: 'decision',
        category: 'petitions',
        level: 'high',
        description: '征地补偿矛盾可能在讨论决定期间激化',
        measures: ['逐户走访', '应急预案'],
        owner: '街道党工委',
        deadlineWorkingDays: 60,
      })
    ).body.riskId;

    await post(`${CYCLE}/launch`, S.launch);
    await eventually(async () => (await state()).stage === 'analysis');
    await post(`${CYCLE}/analysis`, S.analysis);
    await eventually(async () => (await state()).stage === 'recommendation');
    await post(`${CYCLE}/recommendation-rounds`, S.cadreMeeting);
    await post(`${CYCLE}/recommendation-rounds`, S.fullCommittee);
    await eventually(async () => (await state()).stage === 'inspection');
    const checkpoint = await eventually(async () =>
      (await supervision()).checkpoints?.find((c: any) => c.phase === 'inspection'),
    );
    expect(checkpoint.agenda).toEqual([mediumRisk]);
    const unanswered = await post(
      `${CYCLE}/supervision/checkpoints/inspection`,
      { checklist: allSatisfactory },
      supervisor,
    );
    expect(unanswered.status).toBe(422);
    expect(unanswered.body.error.details).toEqual([{ path: 'riskResponses', rule: `needs ${mediumRisk}` }]);
  });

  it('cannot pass the decision gate while a high risk or a high-severity finding is open, and proceeds once both are resolved', async () => {
    for (const p of ['s1', 's2', 's3', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'])
      await inspectViaApi(stack, CYCLE_ID, p, { scope: '440309' });
    await eventually(async () => (await state()).stage === 'decision');
    // Filed late, while the cycle stands at decision: the high finding holds the decision gate.
    const filed = await post(
      `${CYCLE}/supervision/checkpoints/inspection`,
      {
        checklist: { ...allSatisfactory, proceduresFollowed: { status: 'deficient', note: '考察谈话记录不全' } },
        findings: [
          {
            severity: 'high',
            description: '个别考察谈话未按要求记录',
            rectification: { owner: '区委组织部', deadlineWorkingDays: 30 },
          },
          { severity: 'low', description: '宣传栏更新不及时' },
        ],
        riskResponses: [{ riskId: mediumRisk, response: '已组织辟谣并加强监测' }],
      },
      supervisor,
    );
    expect(filed.status).toBe(200);
    const findingId = filed.body.findings[0].id;
    expect(filed.body.findings.map((f: any) => [f.severity, f.status])).toEqual([
      ['high', 'rectifying'],
      ['low', 'recorded'],
    ]);

    await post(`${CYCLE}/standing-committee`, S.standing);
    const voted = await post(`${CYCLE}/committee-vote`, S.vote);
    expect(voted.body.stageDone).toBe(true);
    const held = await eventually(async () => {
      const s = await state();
      return s.holds.length === 2 && s;
    });
    expect(held.holds.map((h: any) => [h.source, h.stage]).sort()).toEqual([
      ['risk', 'decision'],
      ['supervision', 'decision'],
    ]);
    expect(held.waitingFor).toMatch(/关口暂停|讨论决定/);
    await new Promise((r) => setTimeout(r, 800));
    expect((await state()).stage).toBe('decision');

    // Nor can an organizer release these holds by hand (the attacker's shortcut past the gate): each is
    // released only by what raised it, and the answer names the rule. A hold's source is never the caller's to claim.
    for (const h of held.holds) {
      const byHand = await post(
        `${CYCLE}/hold-releases`,
        { name: h.name, resolution: '组织部自行解除' },
        cityOrganizer,
      );
      expect(byHand.status, JSON.stringify(byHand.body)).toBe(409);
      expect(byHand.body.error.details).toEqual([
        { path: 'name', rule: expect.stringMatching(new RegExp(`^a ${h.source} hold is released by `)) },
      ]);
    }
    // Nor take a system hold's name first (the finding's own hold would then be refused as a
    // duplicate, and the gate left open once the organizer released theirs).
    for (const name of [`finding-${CYCLE_ID}-election-F1`, 'report-R-0001', 'risk-K-01', 'calendar', 'calendar-2027']) {
      const squat = await post(`${CYCLE}/holds`, { name, reason: '抢先占用' });
      expect(squat.status, name).toBe(400);
      expect(squat.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    }
    const forged = await post(`${CYCLE}/holds`, { name: 'forged-sup', reason: '督查发现问题', source: 'supervision' });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details).toEqual([expect.objectContaining({ path: 'source' })]);
    expect((await state()).holds).toHaveLength(2);

    // The district cannot resolve its own high risk; the city that supervises it can.
    expect((await post(`/v1/risks/${highRisk}/resolve`, { resolution: '已化解' })).status).toBe(403);
    expect(
      (await post(`/v1/risks/${highRisk}/resolve`, { resolution: '已逐户走访，矛盾化解' }, cityOrganizer)).status,
    ).toBe(200);
    await eventually(async () => (await state()).holds.length === 1);
    expect((await state()).stage).toBe('decision');
    expect(
      (await post(`${CYCLE}/supervision/rectifications`, { findingId, note: '已补齐谈话记录并通报' }, supervisor))
        .status,
    ).toBe(200);
    await eventually(async () => (await state()).stage === 'publicity');

    const { rows } = await stack.pool.query(
      `SELECT status, addressed_at, resolved_by FROM risks WHERE id = ANY($1) ORDER BY level`,
      [[mediumRisk, highRisk]],
    );
    expect(rows).toEqual([
      { status: 'resolved', addressed_at: null, resolved_by: '深圳市委组织部' },
      { status: 'open', addressed_at: `${CYCLE_ID}/inspection`, resolved_by: null },
    ]);
  });

  it("summarizes monitoring points' four indicators for the stage", async () => {
    await post(
      `${CYCLE}/supervision/monitoring`,
      { point: '观澜街道监测点', scores: { selection: 96, correction: 94, discipline: 98, conduct: 97 } },
      supervisor,
    );
    const r = await post(
      `${CYCLE}/supervision/monitoring`,
      { point: '民治街道监测点', scores: { selection: 90, correction: 92, discipline: 95, conduct: 94 } },
      supervisor,
    );
    expect(r.body.monitoring.publicity).toEqual({
      points: 2,
      averages: { selection: 93, correction: 93, discipline: 96.5, conduct: 95.5 },
    });
    // A point filing again in the same stage replaces its scores: still two points, averages follow.
    const again = await post(
      `${CYCLE}/supervision/monitoring`,
      { point: '观澜街道监测点', scores: { selection: 100, correction: 94, discipline: 98, conduct: 97 } },
      supervisor,
    );
    expect(again.body.monitoring.publicity).toEqual({
      points: 2,
      averages: { selection: 95, correction: 93, discipline: 96.5, conduct: 95.5 },
    });
    // Each point's own scores are readable, not only the averages.
    const points = await stack.call('GET', `${CYCLE}/supervision/monitoring`, { token: organizer });
    expect(points.status).toBe(200);
    expect(points.body.points.map((p: any) => [p.point, p.stage, p.scores])).toEqual([
      ['民治街道监测点', 'publicity', { selection: 90, correction: 92, discipline: 95, conduct: 94 }],
      ['观澜街道监测点', 'publicity', { selection: 100, correction: 94, discipline: 98, conduct: 97 }],
    ]);
    const one = await stack.call(
      'GET',
      `${CYCLE}/supervision/monitoring?point=${encodeURIComponent('民治街道监测点')}`,
      {
        token: supervisor,
      },
    );
    expect(one.body.points).toEqual([expect.objectContaining({ point: '民治街道监测点', stage: 'publicity' })]);
    expect(
      (await stack.call('GET', `${CYCLE}/supervision/monitoring?stage=nowhere`, { token: organizer })).status,
    ).toBe(400);
    // Outside the caller's scope the cycle does not exist; a reviewer may not read supervision at all.
    const elsewhere = await stack.token(['organizer'], '440306', '宝安区委组织部');
    expect((await stack.call('GET', `${CYCLE}/supervision/monitoring`, { token: elsewhere })).status).toBe(404);
    const reviewer = await stack.token(['reviewer:audit'], '440300', '审计局');
    expect((await stack.call('GET', `${CYCLE}/supervision/monitoring`, { token: reviewer })).status).toBe(403);
    expect(
      (
        await post(
          `${CYCLE}/supervision/monitoring`,
          { point: 'x', scores: { selection: 101, correction: 1, discipline: 1, conduct: 1 } },
          supervisor,
        )
      ).status,
    ).toBe(400);
  });
});

describe('the register rolls up', () => {
  it("a province sees its cities' and counties' risks by level and status (Liaoning-sized: 288 risks, 478 measures)", async () => {
    const cities = ['210100', '210200', '210300', '210400'];
    const tree = [
      { id: '210000', name: '辽宁省', level: 'province', parentId: null },
      ...cities.map((id, i) => ({
        id,
        name: ['沈阳市', '大连市', '鞍山市', '抚顺市'][i]!,
        level: 'city',
        parentId: '210000',
      })),
      ...cities.flatMap((city) =>
        [1, 2, 3, 4].map((n) => ({
          id: `${city.slice(0, 4)}0${n}`,
          name: `区县${city}-${n}`,
          level: 'county',
          parentId: city,
        })),
      ),
    ];
    const province = await stack.token(['organizer', 'supervisor'], '210000', '辽宁省委组织部');
    // The root is the operator's to create; the caller scoped to it loads the rest.
    await provisionTree(
      stack.pool,
      tree.filter((j) => j.parentId === null),
    );
    expect(
      (await stack.call('PUT', '/v1/jurisdictions', { token: province, body: { jurisdictions: tree } })).status,
    ).toBe(200);
    const places = tree.filter((j) => j.level !== 'province').map((j) => j.id);
    const levels = ['low', 'low', 'medium'] as const;
    const ids: string[] = [];
    for (let i = 0; i < 288; i += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, 288 - i) }, (_, j) => i + j).map(async (n) => {
          const res = await stack.call('POST', '/v1/risks', {
            token: province,
            body: {
              jurisdictionId: places[n % places.length],
              stage: 'election',
              category: ['discipline', 'sabotage', 'petitions', 'media', 'other'][n % 5],
              level: levels[n % 3],
              description: `风险点 ${n}`,
              measures: n < 190 ? ['措施一', '措施二'] : ['措施一'],
              owner: '责任单位',
            },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          ids[n] = res.body.riskId;
        }),
      );
    }
    for (const id of ids.slice(0, 30))
      expect(
        (await stack.call('POST', `/v1/risks/${id}/resolve`, { token: province, body: { resolution: '已化解' } }))
          .status,
      ).toBe(200);

    const register = (await stack.call('GET', '/v1/risks/register?scope=210000', { token: province })).body;
    expect(register).toMatchObject({ risks: 288, measures: 478, byJurisdictionLevel: { city: 60, county: 228 } });
    const byLevelStatus = register.byLevelStatus as Record<string, number>;
    expect(Object.values(byLevelStatus).reduce((a, b) => a + b, 0)).toBe(288);
    expect(byLevelStatus).toEqual({ 'low/open': 172, 'low/resolved': 20, 'medium/open': 86, 'medium/resolved': 10 });
    // A city sees its own subtree only.
    const shenyang = await stack.token(['viewer'], '210100');
    // Risks went round-robin over 4 cities then 16 counties: Shenyang is place 0 and its counties places 4–7.
    expect((await stack.call('GET', '/v1/risks/register', { token: shenyang })).body.risks).toBe(
      Array.from({ length: 288 }, (_, n) => n % 20).filter((p) => [0, 4, 5, 6, 7].includes(p)).length,
    );
  }, 120_000);
});
