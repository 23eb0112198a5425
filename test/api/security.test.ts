/**
 * Security on the real stack: the per-user rate limit, refusals on the record, the codec endpoint
 * for the Temporal UI, and no personal data in clear in Temporal's history. API routes go through
 * the typed client; raw requests only for the rate limit (a 429 is no route's documented answer) and
 * the codec endpoint (the Temporal UI's, not an API route).
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Jurisdiction } from '../../domain/eager/schemas.js';
import { eventually, loadSampleTree, provisionTree, startStack, TRUSTED_UI_ORIGIN, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read } from './client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

describe('rate limit', () => {
  it('a burst over the limit answers 429 for that user only', async () => {
    const noisy = await stack.token(['viewer'], '440300', 'noisy-user');
    const calm = await stack.token(['viewer'], '440300', 'calm-user');
    const tight = await stack.serveVariant({ rateLimit: { perMinute: 60, burst: 5 } });
    try {
      const get = (token: string) => fetch(`${tight.url}/v1/cycles`, { headers: { authorization: `Bearer ${token}` } });
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await get(noisy)).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const limited = await get(noisy);
      expect(await limited.json()).toMatchObject({
        error: {
          code: 'RATE_LIMITED',
          details: [{ path: '(caller)', rule: 'at most 60 requests a minute, 5 at once' }],
        },
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await get(calm)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('a caller is its subject, roles and scope: another with the same subject elsewhere keeps its own bucket', async () => {
    // Found from outside: subjects are names (张三), and the same name in another jurisdiction or role was
    // locked out by this one's burst.
    const here = await stack.token(['viewer'], '440300', '张三');
    const elsewhere = await stack.token(['viewer'], '440306', '张三');
    const otherRole = await stack.token(['organizer'], '440300', '张三');
    const tight = await stack.serveVariant({ rateLimit: { perMinute: 60, burst: 5 } });
    try {
      const get = (token: string) => fetch(`${tight.url}/v1/cycles`, { headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 5; i++) expect((await get(here)).status).toBe(200);
      expect((await get(here)).status).toBe(429);
      expect((await get(elsewhere)).status).toBe(200);
      expect((await get(otherRole)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('refusals are recorded', () => {
  it('a 403 and an out-of-scope 404 each leave an access.denied row naming who tried what', async () => {
    const viewer = stack.as(await stack.token(['viewer'], '440300', '观察员-王'));
    const outsider = stack.as(await stack.token(['organizer'], '440306', '宝安-赵'));
    const forbidden = await read(viewer.v1.cycles.$post({ json: S.startBody('440307', '2040') }));
    expect(forbidden.status).toBe(403);
    const hidden = await read(outsider.v1.cycles[':cycleId'].$get({ param: { cycleId: '440304:2040' } }));
    expect(hidden.status).toBe(404);
    const { rows } = await stack.pool.query(
      `SELECT actor, subject_id, detail, request_id FROM audit_events WHERE action = 'access.denied' AND actor = ANY($1) ORDER BY id`,
      [['观察员-王', '宝安-赵']],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        actor: '观察员-王',
        subject_id: 'POST /v1/cycles',
        detail: expect.objectContaining({ status: 403 }),
        request_id: forbidden.headers.get('x-request-id'),
      }),
      expect.objectContaining({
        actor: '宝安-赵',
        subject_id: 'GET /v1/cycles/440304:2040',
        detail: expect.objectContaining({ status: 404 }),
      }),
    ]);
  });

  it('the verifier endpoint checks the chain', async () => {
    const viewer = stack.as(await stack.token(['viewer'], '440000'));
    const res = await read(viewer.v1.audit.verify.$get());
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ ok: true });
    expect(res.body.rows).toBeGreaterThan(0);
    const intake = stack.as(await stack.token(['intake'], '440000'));
    expect((await read(intake.v1.audit.verify.$get())).status).toBe(403);
  });
});

describe('payloads in Temporal', () => {
  const cycleId = '440305:2041';

  it('are unreadable without the codec: a plain client sees no names, reasons or inputs in the history', async () => {
    const organizer = stack.as(await stack.token(['organizer'], '440300'));
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440305', '2041') }))).status).toBe(201);
    const cycle = organizer.v1.cycles[':cycleId'];
    const param = { cycleId };
    const header = {};
    const state = () => ok(cycle.$get({ param }));
    await read(cycle.launch.$post({ param, json: S.launch, header }));
    await eventually(async () => (await state()).stage === 'analysis');
    await read(cycle.analysis.$post({ param, json: S.analysis, header }));
    await eventually(async () => (await state()).stage === 'recommendation');
    await read(cycle['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header }));
    await read(cycle['recommendation-rounds'].$post({ param, json: S.fullCommittee, header }));
    await eventually(async () => (await state()).candidates?.[0]?.opened);
    const stop = (json: { reason: string; cause: 'violation' | 'other' }) =>
      read(cycle.candidates[':personId'].stop.$post({ param: { cycleId, personId: 's1' }, json, header }));
    expect((await stop({ reason: '个人有关事项瞒报房产两处', cause: 'violation' })).status).toBe(200);
    // A rejected update's message travels back encrypted as well.
    expect((await stop({ reason: '再次', cause: 'other' })).status).toBe(409);

    const plain = new Client({
      connection: await Connection.connect({ address: inject('temporalAddress') }),
      namespace: inject('namespace'),
    });
    try {
      const texts: string[] = [];
      for (const id of [`cycle:${cycleId}`, `candidate:${cycleId}:s1`]) {
        texts.push(JSON.stringify(await plain.workflow.getHandle(id).fetchHistory()));
      }
      const raw = texts.join('\n');
      // Decode every base64 run too: personal data must not be there in any encoding.
      const decoded = (raw.match(/[A-Za-z0-9+/=]{16,}/g) ?? [])
        .map((b) => Buffer.from(b, 'base64').toString('utf8'))
        .join('\n');
      for (const secret of ['张伟', '王芳', '陈静', '个人有关事项瞒报房产两处', '换届风气监督', '区委组织部']) {
        expect(raw, secret).not.toContain(secret);
        expect(decoded, secret).not.toContain(secret);
      }
      const meta = JSON.stringify(
        (await plain.workflow.getHandle(`cycle:${cycleId}`).fetchHistory()).events?.[0]
          ?.workflowExecutionStartedEventAttributes?.input,
      );
      expect(Buffer.from(meta).toString()).not.toMatch(/宝安|南山/);
    } finally {
      await plain.connection.close();
    }
  });

  it('the codec endpoint decodes for operators and the trusted local UI origin, and for nobody else', async () => {
    const history = await stack.client.workflow.getHandle(`cycle:${cycleId}`).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const payload = {
      metadata: Object.fromEntries(
        Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(input.data!).toString('base64'),
    };
    expect(Buffer.from(payload.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    const decode = (headers: Record<string, string>) =>
      fetch(`${stack.api.url}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [payload] }),
      });
    // Only operators decode, naming the workflow (api/codec.ts); a viewer is refused.
    expect((await decode({ authorization: `Bearer ${await stack.token(['viewer'], '440000')}` })).status).toBe(403);
    const asOperator = await decode({
      authorization: `Bearer ${await stack.token(['operator'], '440000')}`,
      'x-huanjie-workflow-id': `cycle:${cycleId}`,
    });
    expect(asOperator.status).toBe(200);
    const body = (await asOperator.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toContain('南山区');
    const fromUi = await decode({ origin: TRUSTED_UI_ORIGIN });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(TRUSTED_UI_ORIGIN);
    expect((await decode({})).status).toBe(401);
    // Temporal's codec clients send proto-JSON, which leaves out an empty list.
    const empty = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TRUSTED_UI_ORIGIN },
      body: '{}',
    });
    expect(await empty.json()).toEqual({ payloads: [] });
    expect((await decode({ origin: 'http://evil.test' })).status).toBe(401);
    expect((await decode({ authorization: `Bearer ${await stack.token(['intake'], '440000')}` })).status).toBe(403);

    // Encoding makes payloads a workflow would take as its own: an operator names one in scope, like decoding.
    const encode = (headers: Record<string, string>) =>
      fetch(`${stack.api.url}/codec/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [payload] }),
      });
    const narrow = await stack.token(['operator'], '440306');
    expect((await encode({ authorization: `Bearer ${narrow}` })).status).toBe(400);
    expect(
      (await encode({ authorization: `Bearer ${narrow}`, 'x-huanjie-workflow-id': `cycle:${cycleId}` })).status,
    ).toBe(404);
    expect(
      (
        await encode({
          authorization: `Bearer ${await stack.token(['operator'], '440000')}`,
          'x-huanjie-workflow-id': `cycle:${cycleId}`,
        })
      ).status,
    ).toBe(200);
  });
});

describe('the jurisdiction tree: an edit stays inside the caller’s scope', () => {
  // Another tree, owned by 北京市; its root is provisioned by the operator (not over HTTP).
  const beijing: Jurisdiction[] = [
    { id: '110000', name: '北京市', level: 'province', parentId: null },
    { id: '110101', name: '东城区', level: 'county', parentId: '110000' },
    { id: '110101001', name: '东华门街道', level: 'township', parentId: '110101' },
  ];
  const put = async (scope: string, rows: Jurisdiction[], sub = 'tree-tester') =>
    read(
      stack
        .as(await stack.token(['organizer'], scope, sub))
        .v1.jurisdictions.$put({ json: { jurisdictions: rows }, header: {} }),
    );
  const row = async (id: string) =>
    (await stack.pool.query('SELECT parent_id, ancestors FROM jurisdictions WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    await provisionTree(stack.pool, beijing);
  });

  it('annexing another city’s district is refused and changes nothing; the owner still sees it', async () => {
    const annex = await put(
      '440300',
      [{ id: '110101', name: '东城区', level: 'county', parentId: '440300' }],
      '深圳-吞并',
    );
    expectStatus(annex, 404);
    expect(annex.body.error.details[0]!.path).toBe('jurisdictions[0].id');
    expect(await row('110101')).toEqual({ parent_id: '110000', ancestors: ['110000', '110101'] });
    const subtree = async (scope: string) =>
      read(
        stack
          .as(await stack.token(['organizer'], scope))
          .v1.jurisdictions[':id'].subtree.$get({ param: { id: '110101' } }),
      );
    expect((await subtree('440300')).status).toBe(404);
    expect((await subtree('110000')).status).toBe(200);
    const { rows } = await stack.pool.query(
      `SELECT 1 FROM audit_events WHERE action = 'access.denied' AND actor = '深圳-吞并' AND subject_id = 'PUT /v1/jurisdictions'`,
    );
    expect(rows).toHaveLength(1);
  });

  it('taking a township from another county is refused', async () => {
    const res = await put('440306', [{ id: '440304001', name: '南园街道', level: 'township', parentId: '440306' }]);
    expect(res.status).toBe(404);
    expect((await row('440304001')).parent_id).toBe('440304');
  });

  it('detaching one’s own jurisdiction, or moving it under another city, is refused', async () => {
    const detach = await put('440300', [{ id: '440300', name: '深圳市', level: 'city', parentId: null }]);
    expectStatus(detach, 403);
    expect(detach.body.error.details[0]!.path).toBe('jurisdictions[0].parentId');
    const move = await put('440306', [{ id: '440306', name: '宝安区', level: 'county', parentId: '440304' }]);
    expect([403, 404]).toContain(move.status);
    expect(await row('440300')).toEqual({ parent_id: '440000', ancestors: ['440000', '440300'] });
    expect((await row('440306')).parent_id).toBe('440300');
    // Renaming one's own jurisdiction in place is still allowed.
    expect((await put('440306', [{ id: '440306', name: '宝安区', level: 'county', parentId: '440300' }])).status).toBe(
      200,
    );
  });

  it('the scope’s own level is decided above it too, and no row is its own parent (422)', async () => {
    const relevel = await put('110101', [{ id: '110101', name: '东城区', level: 'township', parentId: '110000' }]);
    expectStatus(relevel, 403);
    expect(relevel.body.error.details).toEqual([{ path: 'jurisdictions[0].level', rule: 'must stay county' }]);
    const renamed = await put('110101', [{ id: '110101', name: '东城区（新）', level: 'county', parentId: '110000' }]);
    expect(renamed.status).toBe(200);
    await put('110101', [{ id: '110101', name: '东城区', level: 'county', parentId: '110000' }]);
    for (const id of ['110101001', 'V-self']) {
      const self = await put('110101', [{ id, name: '自环', level: 'township', parentId: id }]);
      expectStatus(self, 422, id);
      expect(self.body.error.details).toEqual([{ path: 'jurisdictions[0].parentId', rule: 'not the row itself' }]);
    }
    expect((await row('110101001')).parent_id).toBe('110101');
  });

  // Found from outside (12-07): 宝安区 created 南山区's township code and 北京市's code under itself, which
  // took them from their owners for good (nothing deletes a row over the API).
  it('a new row takes an id inside its parent’s: never a sibling’s township code or another province’s', async () => {
    for (const [id, level] of [
      ['440305001', 'township'],
      ['120000', 'township'],
      ['440306000', 'township'],
      ['V-baoan', 'township'],
    ] as const) {
      const squat = await put('440306', [{ id, name: '占用', level, parentId: '440306' }], '宝安区-占用');
      expectStatus(squat, 403, id);
      expect(squat.body.error.details).toEqual([
        {
          path: 'jurisdictions[0].id',
          rule: "a division code under 440306's (starting 440306, then digits of its own, not zeros alone), or 440306- followed by a name of its own",
        },
      ]);
      expect(await row(id)).toBeUndefined();
    }
    const { rows: denied } = await stack.pool.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'access.denied' AND actor = '宝安区-占用'`,
    );
    expect(denied[0].n).toBe(4);
    // Its own ids are taken as ever: a 街道 code under its own, and a 功能区 named after it (shown with 东城区, whose
    // tree no other test launches a campaign over: rows added under 宝安区 would join other files' campaigns).
    const own = await put('110101', [
      { id: '110101099', name: '新街道', level: 'township', parentId: '110101' },
      { id: '110101-wangfujing', name: '王府井功能区', level: 'township', parentId: '110101' },
    ]);
    expect(own.status).toBe(200);
    expect((await row('110101-wangfujing')).ancestors).toEqual(['110000', '110101', '110101-wangfujing']);
    // A row taken before the rule (天津市's code under 东城区, as the operator finds it) opens no other
    // place's codes beneath it: a new row's id must lie in its creator's ids too.
    await provisionTree(stack.pool, [{ id: '120000', name: '占用', level: 'township', parentId: '110101' }]);
    const under = await put('110101', [{ id: '120101', name: '占用', level: 'village', parentId: '120000' }]);
    expectStatus(under, 403);
    expect(under.body.error.details).toEqual([
      {
        path: 'jurisdictions[0].id',
        rule: "an id inside 110101's: a division code under 110101's (starting 110101, then digits of its own, not zeros alone), or 110101- followed by a name of its own",
      },
    ]);
    expect(await row('120101')).toBeUndefined();
  });

  it('detaching a row inside the scope makes a root, which no scoped token may do', async () => {
    const res = await put('440300', [{ id: '440306', name: '宝安区', level: 'county', parentId: null }]);
    expect(res.status).toBe(403);
    expect((await row('440306')).parent_id).toBe('440300');
  });

  it('a token scoped to a jurisdiction that does not exist has no write authority, and creates no root', async () => {
    const root = await put('999999', [{ id: '999999', name: '虚构省', level: 'province', parentId: null }]);
    expect(root.status).toBe(403);
    const child = await put('999999', [{ id: '999999001', name: '虚构县', level: 'county', parentId: '999999' }]);
    expect(child.status).toBe(403);
    expect(await row('999999')).toBeUndefined();
    expect(await row('999999001')).toBeUndefined();
  });

  it('moving inside the scope keeps descendants’ ancestors right, is on the audit chain, and refuses loops', async () => {
    const moved = await put('440000', [{ id: '440306', name: '宝安区', level: 'county', parentId: '440300' }]);
    expect(moved.status).toBe(200);
    // A new city in the province; 福田区 moves under it with its 街道.
    const res = await put(
      '440000',
      [
        { id: '440400', name: '珠海市', level: 'city', parentId: '440000' },
        { id: '440304', name: '福田区', level: 'county', parentId: '440400' },
      ],
      '省-调整',
    );
    expect(res.status).toBe(200);
    expect((await row('440304001')).ancestors).toEqual(['440000', '440400', '440304', '440304001']);
    const { rows } = await stack.pool.query(
      `SELECT detail FROM audit_events WHERE action = 'jurisdictions.upserted' AND actor = '省-调整'`,
    );
    expect(rows[0].detail).toMatchObject({
      created: ['440400'],
      moved: [{ id: '440304', from: '440300', to: '440400' }],
    });
    // A node under its own descendant (levels changed so the level rule alone would not catch it).
    const loop = await put('440000', [{ id: '440304', name: '福田区', level: 'village', parentId: '440304001' }]);
    expect(loop.status).toBeGreaterThanOrEqual(400);
    expect(loop.status).toBeLessThan(500);
    expect((await row('440304')).parent_id).toBe('440400');
    // Put it back for the other tests.
    expect((await put('440000', [{ id: '440304', name: '福田区', level: 'county', parentId: '440300' }])).status).toBe(
      200,
    );
  });
});
