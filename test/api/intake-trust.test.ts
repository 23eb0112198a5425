/**
 * Intake under attack, over HTTP on the real stack: a channel reference links a repeat only inside
 * the same jurisdiction (and never reveals another jurisdiction's report), an Idempotency-Key makes
 * a retried report or risk one act (never a "duplicate"), and a received time outside what the
 * working-day calendar can count is refused at the edge. Its own tree (新疆 乌鲁木齐), so no other
 * file's reports are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionTree, startStack, type Stack } from '../helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await provisionTree(stack.pool, [
    { id: '650000', name: '新疆维吾尔自治区', level: 'province', parentId: null },
    { id: '650100', name: '乌鲁木齐市', level: 'city', parentId: '650000' },
    { id: '650102', name: '天山区', level: 'county', parentId: '650100' },
    { id: '650103', name: '沙依巴克区', level: 'county', parentId: '650100' },
    { id: '650104', name: '新市区', level: 'county', parentId: '650100' },
    { id: '650105', name: '水磨沟区', level: 'county', parentId: '650100' },
  ]);
});
afterAll(() => stack?.stop());

const reportBody = (jurisdictionId: string, extra: Record<string, unknown> = {}) => ({
  channel: 'phone',
  category: 'seekingOffice',
  target: { type: 'jurisdiction', jurisdictionId },
  text: `反映${jurisdictionId}有人跑官要官`,
  receivedAt: new Date().toISOString(),
  ...extra,
});

describe('a channel reference across jurisdictions', () => {
  it("is a new report in another jurisdiction, never linked to (or revealing) that jurisdiction's report", async () => {
    const desk103 = await stack.token(['intake'], '650103', '沙依巴克区受理员');
    const desk102 = await stack.token(['intake'], '650102', '天山区受理员');
    const city = await stack.token(['intake'], '650100', '市受理员');
    const ref = { channelRef: 'ref-ba-1' };

    const theirs = await stack.call('POST', '/v1/reports', { token: desk103, body: reportBody('650103', ref) });
    expect(theirs.status).toBe(201);
    const theirId: string = theirs.body.reportId;

    const mineBody = reportBody('650102', { ...ref, reporter: { name: '天山区群众' } });
    const mine = await stack.call('POST', '/v1/reports', { token: desk102, body: mineBody });
    expect(mine.status).toBe(201);
    expect(mine.body.duplicateOf).toBeUndefined();
    expect(mine.body.reportId).not.toBe(theirId);
    expect(JSON.stringify(mine.body)).not.toContain(theirId);
    const mineId: string = mine.body.reportId;

    // The new report keeps what it was filed with.
    const record = await stack.call('GET', `/v1/reports/${mineId}`, { token: desk102 });
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      jurisdiction_id: '650102',
      text: mineBody.text,
      reporter: { name: '天山区群众' },
    });
    // The other jurisdiction's report heard nothing of it.
    const timeline = await stack.call('GET', `/v1/reports/${theirId}/timeline`, { token: desk103 });
    expect(timeline.status).toBe(200);
    const actions = timeline.body.events.map((e: { action: string }) => e.action);
    expect(actions).toContain('report.registered');
    expect(actions).not.toContain('report.duplicate');
    const { rows } = await stack.pool.query('SELECT id, duplicates FROM reports WHERE id = ANY($1) ORDER BY id', [
      [theirId, mineId],
    ]);
    expect(rows.map((r) => r.duplicates)).toEqual([0, 0]);

    // Inside one jurisdiction the same channel reference is still the same report, whoever files it.
    const again = await stack.call('POST', '/v1/reports', { token: city, body: reportBody('650102', ref) });
    expect(again).toMatchObject({ status: 200, body: { reportId: mineId, duplicateOf: mineId } });
    const again103 = await stack.call('POST', '/v1/reports', { token: desk103, body: reportBody('650103', ref) });
    expect(again103).toMatchObject({ status: 200, body: { reportId: theirId, duplicateOf: theirId } });
    // Another channel with the same reference is another report.
    const letter = await stack.call('POST', '/v1/reports', {
      token: desk102,
      body: reportBody('650102', { ...ref, channel: 'letter' }),
    });
    expect(letter.status).toBe(201);
  });
});

describe('an Idempotency-Key on intake', () => {
  it('makes a retried report one report — the first answer again, never a duplicate; another body is refused', async () => {
    const desk = await stack.token(['intake'], '650104', '新市区受理员');
    const post = (body: unknown, key: string) =>
      stack.call('POST', '/v1/reports', { token: desk, body, headers: { 'idempotency-key': key } });
    const body = reportBody('650104');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(body, 'ik-report-000001'));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const firstId: string = answers[0]!.body.reportId;
    expect(answers.map((a) => a.body.reportId)).toEqual([firstId, firstId, firstId]);
    const other = await post({ ...body, text: '反映另一件事' }, 'ik-report-000001');
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });

    // Twelve at once under one key (a client retrying on a timeout): one report, twelve same answers.
    const burstBody = reportBody('650104', { channelRef: 'ik-burst-1' });
    const burst = await Promise.all(Array.from({ length: 12 }, () => post(burstBody, 'ik-report-burst-1')));
    const burstId: string = burst[0]!.body.reportId;
    expect(burst.map((a) => [a.status, a.body.reportId, a.body.duplicateOf])).toEqual(
      Array.from({ length: 12 }, () => [201, burstId, undefined]),
    );
    // A second intake of the same channelRef (another key) is a real duplicate, linked and counted once,
    // and its own retry answers as it did without counting again.
    const second = await post(burstBody, 'ik-report-second-1');
    expect(second).toMatchObject({ status: 200, body: { reportId: burstId, duplicateOf: burstId } });
    const secondAgain = await post(burstBody, 'ik-report-second-1');
    expect(secondAgain).toMatchObject({ status: 200, body: { reportId: burstId, duplicateOf: burstId } });

    const ledger = await stack.call('GET', '/v1/reports/ledger?scope=650104', { token: desk });
    expect(ledger.status).toBe(200);
    expect(ledger.body).toMatchObject({ received: 2, linkedDuplicates: 1 });
    const timeline = await stack.call('GET', `/v1/reports/${burstId}/timeline`, { token: desk });
    const actions: string[] = timeline.body.events.map((e: { action: string }) => e.action);
    expect(actions.filter((a) => a === 'report.registered')).toHaveLength(1);
    expect(actions.filter((a) => a === 'report.duplicate')).toHaveLength(1);
  });

  it('makes a retried risk one risk with the first answer; another body is refused', async () => {
    const supervisor = await stack.token(['supervisor'], '650104', '新市区监督组');
    const post = (body: unknown, key: string) =>
      stack.call('POST', '/v1/risks', { token: supervisor, body, headers: { 'idempotency-key': key } });
    const body = {
      jurisdictionId: '650104',
      stage: 'decision',
      category: 'petitions',
      level: 'high',
      description: '部分群众因征地补偿问题可能在选举期间聚集',
      measures: ['提前走访化解'],
      owner: '街道党工委',
    };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(body, 'ik-risk-000001'));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const { riskId, deadline } = answers[0]!.body;
    expect(answers.map((a) => [a.body.riskId, a.body.deadline])).toEqual([
      [riskId, deadline],
      [riskId, deadline],
      [riskId, deadline],
    ]);
    const other = await post({ ...body, level: 'low' }, 'ik-risk-000001');
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    const burst = await Promise.all(Array.from({ length: 8 }, () => post({ ...body, level: 'medium' }, 'ik-risk-2')));
    expect(new Set(burst.map((a) => `${a.status} ${a.body.riskId}`)).size).toBe(1);
    expect(burst[0]!.status).toBe(201);

    const { rows } = await stack.pool.query(
      'SELECT level, count(*)::int AS n FROM risks WHERE jurisdiction_id = $1 GROUP BY level ORDER BY level',
      ['650104'],
    );
    expect(rows).toEqual([
      { level: 'high', n: 1 },
      { level: 'medium', n: 1 },
    ]);
  });
});

describe('a received time the calendar cannot count', () => {
  it('is refused at the edge, naming receivedAt and the rule; the ledger refuses instants PostgreSQL cannot hold', async () => {
    const desk = await stack.token(['intake'], '650105', '水磨沟区受理员');
    const post = (receivedAt: string) =>
      stack.call('POST', '/v1/reports', { token: desk, body: reportBody('650105', { receivedAt }) });
    const now = Date.now();
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '2003-12-31T23:59:59+08:00',
      '2099-01-01T00:00:00Z',
      new Date(now + 10 * 60_000).toISOString(),
    ]) {
      const refused = await post(bad);
      expect({ bad, status: refused.status, code: refused.body?.error?.code }).toEqual({
        bad,
        status: 400,
        code: 'VALIDATION',
      });
      expect(refused.body.error.details).toEqual([
        { path: 'receivedAt', rule: expect.stringMatching(/future|before 2004/) },
      ]);
    }
    // The first day the calendar covers, and a desk clock a little ahead of the server's, are fine.
    expect((await post('2004-01-01T00:00:00+08:00')).status).toBe(201);
    expect((await post(new Date(now + 60_000).toISOString())).status).toBe(201);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM reports WHERE jurisdiction_id = $1', [
      '650105',
    ]);
    expect(rows[0].n).toBe(2);

    for (const [param, value] of [
      ['from', '0000-01-01T00:00:00Z'],
      ['to', '0000-01-01T00:00:00Z'],
      ['to', '9999-12-31T23:59:59-08:00'],
    ] as const) {
      const ledger = await stack.call('GET', `/v1/reports/ledger?scope=650105&${param}=${encodeURIComponent(value)}`, {
        token: desk,
      });
      expect({ value, status: ledger.status, paths: ledger.body?.error?.details?.map((d: any) => d.path) }).toEqual({
        value,
        status: 400,
        paths: [param],
      });
    }
    // An offset PostgreSQL would refuse (beyond ±15:59) is still a real instant: counted, not a 500.
    const farOffset = await stack.call(
      'GET',
      `/v1/reports/ledger?scope=650105&from=${encodeURIComponent('2026-01-01T00:00:00+23:00')}`,
      { token: desk },
    );
    expect(farOffset.status).toBe(200);
    const ledger = await stack.call(
      'GET',
      `/v1/reports/ledger?scope=650105&from=${encodeURIComponent('2004-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2004-01-02T00:00:00+08:00')}`,
      { token: desk },
    );
    expect(ledger).toMatchObject({ status: 200, body: { received: 1 } });
  });
});
