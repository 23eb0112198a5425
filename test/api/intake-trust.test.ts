/**
 * Intake under attack, over HTTP on the real stack: a channel reference links a repeat only inside
 * the same jurisdiction (and never reveals another jurisdiction's report), an Idempotency-Key makes
 * a retried report or risk one act (never a "duplicate"), and a received time outside what the
 * working-day calendar can count is refused at the edge. Its own tree (新疆 乌鲁木齐), so no other
 * file's reports are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type * as R from '../../domain/eager/reports.js';
import type { riskSchema } from '../../domain/eager/supervision.js';
import { provisionTree, startStack, type Stack } from '../helpers.js';
import { bodyOf, errorOf, expectStatus, ok, read, type ApiClient } from './client.js';

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

type Intake = z.input<typeof R.intakeSchema>;
const reportBody = (jurisdictionId: string, extra: Partial<Intake> = {}): Intake => ({
  channel: 'phone',
  category: 'seekingOffice',
  target: { type: 'jurisdiction', jurisdictionId },
  text: `反映${jurisdictionId}有人跑官要官`,
  receivedAt: new Date().toISOString(),
  ...extra,
});

describe('a channel reference across jurisdictions', () => {
  it("is a new report in another jurisdiction, never linked to (or revealing) that jurisdiction's report", async () => {
    const desk103 = stack.as(await stack.token(['intake'], '650103', '沙依巴克区受理员'));
    const desk102 = stack.as(await stack.token(['intake'], '650102', '天山区受理员'));
    const city = stack.as(await stack.token(['intake'], '650100', '市受理员'));
    const ref = { channelRef: 'ref-ba-1' };
    const intake = (desk: ApiClient, json: Intake) => read(desk.v1.reports.$post({ json, header: {} }));

    const theirs = await intake(desk103, reportBody('650103', ref));
    expectStatus(theirs, 201);
    const theirId = theirs.body.reportId;

    const mineBody = reportBody('650102', { ...ref, reporter: { name: '天山区群众' } });
    const mine = await intake(desk102, mineBody);
    expectStatus(mine, 201);
    expect(mine.body).not.toHaveProperty('duplicateOf');
    expect(mine.body.reportId).not.toBe(theirId);
    expect(JSON.stringify(mine.body)).not.toContain(theirId);
    const mineId = mine.body.reportId;

    // The new report keeps what it was filed with.
    const record = await read(desk102.v1.reports[':reportId'].$get({ param: { reportId: mineId } }));
    expectStatus(record, 200);
    expect(record.body).toMatchObject({
      jurisdiction_id: '650102',
      text: mineBody.text,
      reporter: { name: '天山区群众' },
    });
    // The other jurisdiction's report heard nothing of it.
    const timeline = await read(desk103.v1.reports[':reportId'].timeline.$get({ param: { reportId: theirId } }));
    expectStatus(timeline, 200);
    const actions = timeline.body.events.map((e) => e.action);
    expect(actions).toContain('report.registered');
    expect(actions).not.toContain('report.duplicate');
    const { rows } = await stack.pool.query('SELECT id, duplicates FROM reports WHERE id = ANY($1) ORDER BY id', [
      [theirId, mineId],
    ]);
    expect(rows.map((r) => r.duplicates)).toEqual([0, 0]);

    // Inside one jurisdiction the same channel reference is still the same report, whoever files it.
    const again = await intake(city, reportBody('650102', ref));
    expect(again).toMatchObject({ status: 200, body: { reportId: mineId, duplicateOf: mineId } });
    const again103 = await intake(desk103, reportBody('650103', ref));
    expect(again103).toMatchObject({ status: 200, body: { reportId: theirId, duplicateOf: theirId } });
    // Another channel with the same reference is another report.
    const letter = await intake(desk102, reportBody('650102', { ...ref, channel: 'letter' }));
    expect(letter.status).toBe(201);
  });
});

describe('an Idempotency-Key on intake', () => {
  it('makes a retried report one report — the first answer again, never a duplicate; another body is refused', async () => {
    const desk = stack.as(await stack.token(['intake'], '650104', '新市区受理员'));
    const post = (json: Intake, key: string) =>
      read(desk.v1.reports.$post({ json, header: { 'idempotency-key': key } }));
    // The fields of an answer whatever its status (an error has neither).
    const fields = (a: Awaited<ReturnType<typeof post>>) => ({
      reportId: 'reportId' in a.body ? a.body.reportId : undefined,
      duplicateOf: 'duplicateOf' in a.body ? a.body.duplicateOf : undefined,
    });
    const body = reportBody('650104');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(body, 'ik-report-000001'));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const firstId = bodyOf(answers[0]!, 201).reportId;
    expect(answers.map((a) => fields(a).reportId)).toEqual([firstId, firstId, firstId]);
    const other = await post({ ...body, text: '反映另一件事' }, 'ik-report-000001');
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });

    // Twelve at once under one key (a client retrying on a timeout): one report, twelve same answers.
    const burstBody = reportBody('650104', { channelRef: 'ik-burst-1' });
    const burst = await Promise.all(Array.from({ length: 12 }, () => post(burstBody, 'ik-report-burst-1')));
    const burstId = fields(burst[0]!).reportId;
    expect(burst.map((a) => [a.status, fields(a).reportId, fields(a).duplicateOf])).toEqual(
      Array.from({ length: 12 }, () => [201, burstId, undefined]),
    );
    // A second intake of the same channelRef (another key) is a real duplicate, linked and counted once,
    // and its own retry answers as it did without counting again.
    const second = await post(burstBody, 'ik-report-second-1');
    expect(second).toMatchObject({ status: 200, body: { reportId: burstId, duplicateOf: burstId } });
    const secondAgain = await post(burstBody, 'ik-report-second-1');
    expect(secondAgain).toMatchObject({ status: 200, body: { reportId: burstId, duplicateOf: burstId } });

    const ledger = await read(desk.v1.reports.ledger.$get({ query: { scope: '650104' } }));
    expect(ledger.status).toBe(200);
    expect(ledger.body).toMatchObject({ received: 2, linkedDuplicates: 1 });
    const timeline = await ok(desk.v1.reports[':reportId'].timeline.$get({ param: { reportId: burstId! } }));
    const actions = timeline.events.map((e) => e.action);
    expect(actions.filter((a) => a === 'report.registered')).toHaveLength(1);
    expect(actions.filter((a) => a === 'report.duplicate')).toHaveLength(1);
  });

  it('makes a retried risk one risk with the first answer; another body is refused', async () => {
    const supervisor = stack.as(await stack.token(['supervisor'], '650104', '新市区监督组'));
    const post = (json: z.input<typeof riskSchema>, key: string) =>
      read(supervisor.v1.risks.$post({ json, header: { 'idempotency-key': key } }));
    const body: z.input<typeof riskSchema> = {
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
    const { riskId, deadline } = bodyOf(answers[0]!, 201);
    const fields = (a: Awaited<ReturnType<typeof post>>) =>
      'riskId' in a.body ? [a.body.riskId, a.body.deadline] : [undefined, undefined];
    expect(answers.map(fields)).toEqual([
      [riskId, deadline],
      [riskId, deadline],
      [riskId, deadline],
    ]);
    const other = await post({ ...body, level: 'low' }, 'ik-risk-000001');
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    const burst = await Promise.all(Array.from({ length: 8 }, () => post({ ...body, level: 'medium' }, 'ik-risk-2')));
    expect(new Set(burst.map((a) => `${a.status} ${fields(a)[0]}`)).size).toBe(1);
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
    const desk = stack.as(await stack.token(['intake'], '650105', '水磨沟区受理员'));
    const post = (receivedAt: string) =>
      read(desk.v1.reports.$post({ json: reportBody('650105', { receivedAt }), header: {} }));
    const now = Date.now();
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '2003-12-31T23:59:59+08:00',
      '2099-01-01T00:00:00Z',
      new Date(now + 10 * 60_000).toISOString(),
    ]) {
      const refused = await post(bad);
      expect({ bad, status: refused.status, code: errorOf(refused)?.code }).toEqual({
        bad,
        status: 400,
        code: 'VALIDATION',
      });
      expect(errorOf(refused)?.details).toEqual([
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

    const ledgerOf = (query: { from?: string; to?: string }) =>
      read(desk.v1.reports.ledger.$get({ query: { scope: '650105', ...query } }));
    for (const [param, value] of [
      ['from', '0000-01-01T00:00:00Z'],
      ['to', '0000-01-01T00:00:00Z'],
      ['to', '9999-12-31T23:59:59-08:00'],
    ] as const) {
      const ledger = await ledgerOf({ [param]: value });
      expect({ value, status: ledger.status, paths: errorOf(ledger)?.details.map((d) => d.path) }).toEqual({
        value,
        status: 400,
        paths: [param],
      });
    }
    // An offset PostgreSQL would refuse (beyond ±15:59) is still a real instant: counted, not a 500.
    const farOffset = await ledgerOf({ from: '2026-01-01T00:00:00+23:00' });
    expect(farOffset.status).toBe(200);
    const ledger = await ledgerOf({ from: '2004-01-01T00:00:00+08:00', to: '2004-01-02T00:00:00+08:00' });
    expect(ledger).toMatchObject({ status: 200, body: { received: 1 } });
  });
});
