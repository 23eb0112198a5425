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
