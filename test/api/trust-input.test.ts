/**
 * Hostile input at the edge (issue 11): NUL and lone surrogates, impossible dates, reused
 * Idempotency-Keys, and a keep-alive connection after a 413. Well-typed requests go through the
 * typed client; raw requests only for what its types or encoding cannot send: raw bodies carrying
 * NUL or a lone surrogate, a NUL in an enum query parameter, deep nesting, console forms, oversize
 * bodies on a keep-alive socket and /openapi.json.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read } from './client.js';

let stack: Stack;
let organizer: string;
let intake: string;
beforeAll(async () => {
  stack = await startStack({ bodyLimitBytes: 64 * 1024, rateLimit: { perMinute: 100_000, burst: 10_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer', 'supervisor'], '440300', '组织部');
  intake = await stack.token(['intake', 'investigator'], '440300', '受理员');
});
afterAll(() => stack?.stop());

const risk = (description: string) => ({
  jurisdictionId: '440306',
  stage: 'inspection',
  category: 'discipline',
  level: 'low',
  description,
  measures: ['约谈'],
  owner: '宝安区委组织部',
});

describe('text that Postgres cannot store is refused at the edge', () => {
  // A raw body: JSON.stringify would keep a lone surrogate as an escape, which is what a client sends.
  const raw = (o: unknown, field: string, bad: string) =>
    JSON.stringify(o).replace(`"${field}":"X"`, `"${field}":"a${bad}b"`);

  for (const [label, bad] of [
    ['NUL', '\\u0000'],
    ['a lone surrogate', '\\ud800'],
  ] as const) {
    it(`${label} in a risk, a report, a ping and a triage answers 400 naming the field`, async () => {
      const onRisk = await stack.call('POST', '/v1/risks', {
        token: organizer,
        body: raw(risk('X'), 'description', bad),
      });
      expect(onRisk.status, JSON.stringify(onRisk.body)).toBe(400);
      expect(onRisk.body.error.details).toEqual([expect.objectContaining({ path: 'description' })]);

      const onReport = await stack.call('POST', '/v1/reports', {
        token: intake,
        body: raw(
          {
            channel: 'phone',
            target: { type: 'jurisdiction', jurisdictionId: '440306' },
            category: 'voteBuying',
            text: 'X',
            receivedAt: new Date().toISOString(),
          },
          'text',
          bad,
        ),
      });
      expect(onReport.status).toBe(400);
      expect(onReport.body.error.details[0].path).toBe('text');

      const onCycle = await stack.call('POST', '/v1/cycles', {
        token: organizer,
        body: raw(
          { ...S.startBody('440309', '2090'), positions: [{ id: 'secretary', title: 'X', seats: 1 }] },
          'title',
          bad,
        ),
      });
      expect(onCycle.status).toBe(400);
      expect(onCycle.body.error.details[0].path).toBe('positions.0.title');

      const desk = stack.as(intake);
      const created = await read(
        desk.v1.reports.$post({
          json: S.phoneReport('440306'),
          header: {},
        }),
      );
      expectStatus(created, 201);
      const id = created.body.reportId;
      for (const field of ['unit', 'reason']) {
        const body = { kind: 'directCheck', unit: '区纪委', reason: '需要核实', [field]: 'X' };
        const res = await stack.call('POST', `/v1/reports/${id}/triage`, {
          token: intake,
          body: raw(body, field, bad),
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details[0].path).toBe(field);
      }
      // The report was not touched: a proper triage still works.
      const triaged = await read(
        desk.v1.reports[':reportId'].triage.$post({
          param: { reportId: id },
          json: { kind: 'directCheck', unit: '区纪委', reason: '需要核实' },
          header: {},
        }),
      );
      expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
    });
  }

  it('a NUL in a query parameter is refused too', async () => {
    const res = await stack.call('GET', '/v1/cycles?stage=a%00b', { token: organizer });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('stage');
  });
});

describe('text that shows nothing is refused at the edge', () => {
  // Found from outside: a reason of one zero-width space (U+200B, or a word joiner) was taken as the reason
  // for going below the 差额 ratio, and went on the record and the ledger saying nothing.
  it('a reason of invisible characters only is 400 naming it, on any route; with a word it is read', async () => {
    const res = await stack.call('POST', '/v1/cycles/440306%3A2026/recommendation-rounds', {
      token: organizer,
      body: { round: 1, belowRatioReason: '\u200b', recommended: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({
      path: 'belowRatioReason',
      rule: expect.stringMatching(/invisible/),
    });
    const hold = await stack.call('POST', '/v1/cycles/440306%3A2026/holds', {
      token: organizer,
      body: { name: '\u3164', reason: '\u2060 \u034f' },
    });
    expect(hold.status).toBe(400);
    expect(hold.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name', 'reason']);
    const listed = await stack.call('GET', '/v1/cycles?stage=%E2%80%8B', { token: organizer });
    expect(listed.status).toBe(400);
    expect(listed.body.error.details[0].path).toBe('stage');
  });

  it('a control character (but tab and line breaks) is 400 naming the field; so is private-use or unassigned text alone', async () => {
    // Found from outside: U+0001, U+007F or U+0085 alone were taken as a reason, a title or a policy version.
    for (const bad of ['\u0001', '\u007f', '\u0085', 'a\u0007b', '\ue000', '\u0378']) {
      const res = await stack.call('POST', '/v1/cycles/440306%3A2026/holds', {
        token: organizer,
        body: { name: 'h', reason: bad },
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.details, JSON.stringify(bad)).toContainEqual({
        path: 'reason',
        rule: expect.stringMatching(/visible text/),
      });
    }
    // Tab and line breaks are text; a word between marks of its own script is too.
    const fine = await stack.call('POST', '/v1/cycles/440306%3A2026/holds', {
      token: organizer,
      body: { name: 'h', reason: '第一行\r\n\t第二行' },
    });
    expect(fine.status).not.toBe(400);
  });

  it('a body in a content coding is 415 naming Content-Encoding (it was read as plain text)', async () => {
    for (const coding of ['gzip', 'br', 'x-unknown']) {
      const res = await fetch(`${stack.api.url}/v1/cycles`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${organizer}`,
          'content-type': 'application/json',
          'content-encoding': coding,
        },
        body: JSON.stringify(S.startBody('440309', '2093')),
      });
      expect(res.status, coding).toBe(415);
      const err = ((await res.json()) as { error: { details: { path: string }[] } }).error;
      expect(err.details[0]!.path).toBe('header.Content-Encoding');
    }
    expect((await stack.call('GET', '/v1/cycles/440309%3A2093', { token: organizer })).status).toBe(404);
  });
});

describe('a JSON body is read as UTF-8, so it must say so or say nothing', () => {
  // Found from outside: a body declared `charset=iso-8859-1` was read as UTF-8, so its é (one byte, 0xE9)
  // became U+FFFD in what was stored — a name changed without a word.
  it('a JSON body in another charset is refused 415 naming the header, and nothing is created', async () => {
    const body = Buffer.from(JSON.stringify({ ...S.startBody('440309', '2091'), term: '2091é' }), 'latin1');
    for (const charset of ['iso-8859-1', 'latin1', '"windows-1252"', 'UTF-16']) {
      const res = await fetch(`${stack.api.url}/v1/cycles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${organizer}`, 'content-type': `application/json; charset=${charset}` },
        body,
      });
      expect(res.status, charset).toBe(415);
      const err = ((await res.json()) as { error: { details: { path: string; rule: string }[] } }).error;
      expect(err.details[0]).toEqual({ path: 'header.Content-Type', rule: expect.stringMatching(/UTF-8/) });
    }
    expect((await stack.call('GET', '/v1/cycles/440309%3A2091', { token: organizer })).status).toBe(404);
  });

  it('a body that is not UTF-8 is refused 400 naming the body, whatever it declares; nothing is created', async () => {
    // Found from outside: with no charset, or charset=utf-8, latin-1 bytes were read with U+FFFD in their
    // place and stored so (a place named only ��).
    const body = Buffer.from(JSON.stringify({ ...S.startBody('440309', '2092'), term: '2092é' }), 'latin1');
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-8; charset=latin1',
    ]) {
      const res = await fetch(`${stack.api.url}/v1/cycles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${organizer}`, 'content-type': type },
        body,
      });
      expect([400, 415], type).toContain(res.status);
      const err = ((await res.json()) as { error: { details: { path: string; rule: string }[] } }).error;
      expect(err.details[0]!.rule, type).toMatch(/UTF-8/);
    }
    expect((await stack.call('GET', '/v1/cycles/440309%3A2092', { token: organizer })).status).toBe(404);
  });

  it('charset utf-8 in any spelling, or none, is read as before', async () => {
    // A body the route's schema refuses (no jurisdictionId): the charset passed, the validator answered.
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      const res = await fetch(`${stack.api.url}/v1/cycles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${organizer}`, 'content-type': type },
        body: JSON.stringify({ term: '2091' }),
      });
      expect(res.status, type).toBe(400);
    }
  });
});

describe('the console', () => {
  it('refuses a form over the body limit before reading it (413), never echoing it back', async () => {
    const res = await fetch(`${stack.api.url}/console/cycles/440306%3A2026/input/holds`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.api.url,
        cookie: `huanjie_token=${organizer}`,
      },
      body: `name=a&reason=${'x'.repeat(100 * 1024)}`,
    });
    expect(res.status).toBe(413);
    expect((await res.text()).length).toBeLessThan(2000);
  });

  it('refuses a form whose bytes or escapes are not UTF-8 (400), in another charset or a content coding (415)', async () => {
    // Found from outside: the console read such forms with U+FFFD in place and the API stored what it was sent.
    const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
      fetch(`${stack.api.url}/console/cycles/440306%3A2026/input/holds`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: stack.api.url,
          cookie: `huanjie_token=${organizer}`,
          ...headers,
        },
        body,
        redirect: 'manual',
      });
    expect((await post(Buffer.from('name=a&reason=caf\xe9', 'latin1'))).status).toBe(400);
    expect((await post('name=a&reason=caf%E9')).status).toBe(400);
    expect(
      (await post('name=a&reason=cafe', { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }))
        .status,
    ).toBe(415);
    expect((await post('name=a&reason=cafe', { 'content-encoding': 'gzip' })).status).toBe(415);
    // A proper form still reaches the page (the cycle is not there to take it: not a 400 or 415).
    expect([400, 415]).not.toContain((await post('name=a&reason=%E5%92%96%E5%95%A1')).status);
  });

  it('answers a malformed multipart form 400, signed in or not, never 500', async () => {
    // Found from outside: `content-type: multipart/form-data` with a body that is not one was a 500.
    for (const [path, cookie] of [
      ['/console/signin/token', undefined],
      ['/console/cycles/440306%3A2026/input/holds', `huanjie_token=${organizer}`],
    ] as const)
      for (const type of ['multipart/form-data', 'multipart/form-data; boundary=zz']) {
        const res = await fetch(`${stack.api.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': type, origin: stack.api.url, ...(cookie ? { cookie } : {}) },
          body: 'x',
        });
        expect(res.status, `${path} ${type}`).toBe(400);
      }
  });
});

describe('a deeply nested body', () => {
  // 10,000 levels once exhausted the stack of the edge check (500); no Huanjie body nests past a few.
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
  it('answers 400 naming the rule, on any route and on the codec, and the next request is served', async () => {
    for (const path of ['/v1/ping', '/v1/cycles', '/v1/reports']) {
      const res = await stack.call('POST', path, { token: organizer, body: deep(10_000) });
      expect(res.status, path).toBe(400);
      expect(res.body.error.details).toEqual([{ path: '(body)', rule: 'nested at most 32 levels deep' }]);
    }
    const codec = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await stack.token(['operator'], '440300')}`,
        'x-huanjie-workflow-id': 'cycle:440306:2026',
      },
      body: `{"payloads":${deep(10_000)}}`,
    });
    expect(codec.status).toBe(400);
    // 32 levels is still a body (refused by the route's own schema, naming its fields).
    const shallow = await stack.call('POST', '/v1/ping', { token: organizer, body: deep(32) });
    expect(shallow.status).not.toBe(500);
  });
});

describe('a body of many fields', () => {
  // Found from outside: 90,000 unknown keys (979 KB) cost the API ~0.4 s each and answered 2.66 MB,
  // the keys chained into one path (`k0.k1.…`); sixteen at a time stalled every other caller.
  const wide = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0])));
  it('an object with more fields than any Huanjie body has is refused at the edge, briefly', async () => {
    const res = await fetch(`${stack.api.url}/v1/cycles/440306:2026/holds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${organizer}` },
      body: wide(5_000), // under this stack's body limit
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2000);
    expect(JSON.parse(text).error.details).toEqual([{ path: '(body)', rule: 'at most 1000 fields in one object' }]);
  });

  it('unknown fields are named one by one, a few of them, never chained into one path', async () => {
    const res = await stack.call('POST', '/v1/cycles/440306:2026/holds', {
      token: organizer,
      body: { name: 'x-1', reason: '理由', ...JSON.parse(wide(900)) },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    expect(res.body.error.details).toEqual([
      { path: 'k0', rule: 'unknown field k0' },
      { path: 'k1', rule: 'unknown field k1' },
      { path: 'k2', rule: 'unknown field k2' },
      { path: 'k3', rule: 'unknown field k3' },
      { path: 'k4', rule: 'unknown field k4 (and 895 more unknown fields)' },
    ]);
  });
});

describe('place names', () => {
  it('a name with control or bidirectional-override characters, or of invisible ones only, is 400 naming it', async () => {
    const editor = stack.as(organizer);
    const put = (name: string) =>
      read(
        editor.v1.jurisdictions.$put({
          json: { jurisdictions: [{ id: '440306011', name, level: 'township', parentId: '440306' }] },
          header: {},
        }),
      );
    for (const name of ['\u200b', ' \u200b\u2060 ', 'a\nb', '福田\u001b[31m', '\u202e街道', '沙\u2066头', '铃\u0007']) {
      const refused = await put(name);
      expectStatus(refused, 400, JSON.stringify(name));
      expect(refused.body.error.details).toContainEqual({
        path: 'jurisdictions.0.name',
        rule: expect.stringMatching(/visible text/),
      });
    }
    const saved = await read(editor.v1.jurisdictions[':id'].subtree.$get({ param: { id: '440306' } }));
    expect(JSON.stringify(saved.body)).not.toContain('440306011');
    // Chinese, Latin, digits, middle dots and spaces stay names.
    expect((await put('新桥·东 街道 2')).status).toBe(200);
  });
});

describe("a report's channel reference", () => {
  it('with control, bidi or only invisible characters is 400 naming it; a full-width one links to its ASCII twin', async () => {
    const desk = stack.as(intake);
    const register = (
      channelRef: string,
      target: Record<string, unknown> = { type: 'jurisdiction', jurisdictionId: '440306' },
    ) =>
      read(
        desk.v1.reports.$post({
          json: {
            channel: 'phone',
            channelRef,
            category: 'voteBuying',
            text: '反映问题（引用测试）',
            receivedAt: new Date().toISOString(),
            target,
          } as never,
          header: {},
        }),
      );
    for (const ref of [
      '12380\u202eTXT.exe',
      'ref\u0007bell\u001b[31m',
      'ref\nline2',
      '\u200b\u200b',
      '12380-ATK\u200b',
      // Blank-looking letters and marks that are not format characters (found from outside): each
      // looked like ATK-R1 and escaped its link.
      'ATK\u034f-R1',
      'ATK-R1\u3164',
      'ATK-R1\u2800',
      'ATK-R1\ufe0f',
      'ATK\u17b4-R1',
      'ATK-R1\ufffe',
      'ATK\ue000-R1',
      'ATK-R1\u2028x',
    ]) {
      const refused: any = await register(ref);
      expectStatus(refused, 400, JSON.stringify(ref));
      expect(refused.body.error.details).toContainEqual({
        path: 'channelRef',
        rule: expect.stringMatching(/visible text/),
      });
    }
    const official = await register('12380-NAME-1', { type: 'official', jurisdictionId: '440306', name: '张\u202e三' });
    expectStatus(official, 400);
    const first: any = await register('12380-FW-0001');
    expectStatus(first, 201);
    const twin: any = await register('１２３８０-ＦＷ-０００１');
    expectStatus(twin, 200);
    expect(twin.body.duplicateOf).toBe(first.body.reportId);
    // The same reference about another target is no repeat: 409 naming channelRef, nothing linked.
    const other: any = await register('12380-FW-0001', { type: 'official', jurisdictionId: '440306', name: '李四' });
    expectStatus(other, 409);
    expect(other.body.error.details).toEqual([expect.objectContaining({ path: 'channelRef' })]);
    const kept = await read(desk.v1.reports[':reportId'].$get({ param: { reportId: first.body.reportId } }));
    expect(kept.body).toMatchObject({ duplicates: 1 });
    // Officials are told apart by their (sealed) names: one about 张三 is no repeat of one about 李四
    // (found from outside: it was linked, and 李四's report folded into 张三's).
    const zhang: any = await register('12380-OFF-1', { type: 'official', jurisdictionId: '440306', name: '张三' });
    expectStatus(zhang, 201);
    const li: any = await register('12380-OFF-1', { type: 'official', jurisdictionId: '440306', name: '李四' });
    expectStatus(li, 409);
    expect(li.body.error.details).toEqual([expect.objectContaining({ path: 'channelRef' })]);
    expect(JSON.stringify(li.body)).not.toContain('张三');
    for (const name of [' 张三 ', '张　三', '张 三']) {
      const again: any = await register('12380-OFF-1', { type: 'official', jurisdictionId: '440306', name });
      expectStatus(again, 200, name);
      expect(again.body.duplicateOf).toBe(zhang.body.reportId);
    }
  });
});

describe('calendar years', () => {
  it('a year the official table covers cannot be supplied, at the start or later (400 naming the field)', async () => {
    const api = stack.as(organizer);
    const rewrite = { year: 2026, holidays: ['2026-12-03'], workdays: [] };
    const start = await read(
      api.v1.cycles.$post({ json: S.startBody('440306', '2095', { calendar: { kind: 'cn', overrides: [rewrite] } }) }),
    );
    expectStatus(start, 400);
    expect(start.body.error.details).toEqual([expect.objectContaining({ path: 'policy.calendar.overrides.0.year' })]);
    const later = await read(
      api.v1.cycles[':cycleId']['calendar-years'].$post({
        param: { cycleId: '440306:2095' },
        json: rewrite,
        header: {},
      }),
    );
    expectStatus(later, 400);
    expect(later.body.error.details).toEqual([expect.objectContaining({ path: 'year' })]);
  });
});

describe('names every JavaScript object has', () => {
  it('are refused as ids and keyed names, naming the field (found from outside: a position __proto__ lost its ranking)', async () => {
    const api = stack.as(organizer);
    const body = S.startBody('440306', '2096');
    const started = await read(
      api.v1.cycles.$post({
        json: {
          ...body,
          positions: [
            { ...body.positions[0]!, id: '__proto__' },
            { ...body.positions[1]!, id: 'constructor' },
          ],
        },
      }),
    );
    expectStatus(started, 400);
    expect(started.body.error.details.map((d) => d.path)).toEqual(['positions.0.id', 'positions.1.id']);
    const candidate = await stack.call('GET', '/v1/cycles/440306:2096/candidates/toString', { token: organizer });
    expect(candidate.status).toBe(400);
    const point = await stack.call('POST', '/v1/cycles/440306:2096/supervision/monitoring', {
      token: organizer,
      body: { point: '__proto__', scores: { selection: 90, correction: 90, discipline: 90, conduct: 90 } },
    });
    expect(point.status).toBe(400);
    expect(point.body.error.details).toEqual([expect.objectContaining({ path: 'point' })]);
  });
});

describe('dates', () => {
  it('an impossible ledger date is 400 naming date; a future one is 422; today answers live', async () => {
    const api = stack.as(organizer);
    for (const date of ['2026-13-45', '2026-02-30', '2025-02-29', '0000-01-01', '1899-12-31']) {
      const res = await read(api.v1.ledger.$get({ query: { date } }));
      expectStatus(res, 400, date);
      expect(res.body.error.details[0]!.path).toBe('date');
    }
    const future = await read(api.v1.ledger.$get({ query: { date: '2999-01-01' } }));
    expectStatus(future, 422);
    expect(future.body.error.details[0]!.path).toBe('date');
    const today = await ok(api.v1.ledger.$get({ query: {} }));
    expect(today.source).toBe('computed');
  });

  it('the reports ledger refuses impossible datetimes naming from/to', async () => {
    const res = await read(stack.as(intake).v1.reports.ledger.$get({ query: { from: '2026-02-30T00:00:00Z' } }));
    expectStatus(res, 400);
    expect(res.body.error.details[0]!.path).toBe('from');
    // A backward (or empty) range is refused naming to, not answered with a ledger of zeros.
    for (const to of ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z']) {
      const backward = await read(
        stack.as(intake).v1.reports.ledger.$get({ query: { from: '2026-03-01T00:00:00Z', to } }),
      );
      expectStatus(backward, 400, to);
      expect(backward.body.error.details[0]!.path).toBe('to');
    }
  });
});

describe('Idempotency-Key', () => {
  it('the same key with another body is 422 naming the key; the same body answers as before; keys are per caller', async () => {
    const key = `k-${Date.now()}-tree`;
    const put = (name: string, token = organizer) =>
      read(
        stack.as(token).v1.jurisdictions.$put({
          json: { jurisdictions: [{ id: '440306009', name, level: 'township', parentId: '440306' }] },
          header: { 'idempotency-key': key },
        }),
      );
    expect((await put('燕罗街道')).status).toBe(200);
    expect((await put('燕罗街道')).status).toBe(200);
    const reused = await put('沙井街道');
    expectStatus(reused, 422);
    expect(reused.body.error).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      details: [{ path: 'header.Idempotency-Key' }],
    });
    expect(reused.body.error.message).toContain(key);
    // Another caller with the same key is not confused with the first.
    const other = await stack.token(['organizer'], '440306', '宝安-另一人');
    expect((await put('沙井街道', other)).status).toBe(200);
  });

  it('applies to stage inputs as well, and the OpenAPI document shows no fixed example key', async () => {
    const api = stack.as(organizer);
    const res = await read(api.v1.cycles.$post({ json: S.startBody('440310', '2091') }));
    expect(res.status).toBe(201);
    const key = `k-${Date.now()}-launch`;
    const send = (reason: string) =>
      read(
        api.v1.cycles[':cycleId'].suspend.$post({
          param: { cycleId: '440310:2091' },
          json: { reason },
          header: { 'idempotency-key': key },
        }),
      );
    expect((await send('暂停一下')).status).toBe(200);
    const reused = await send('另一个理由');
    expectStatus(reused, 422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The key belongs to the route and its decoded parameters, not to the path's spelling: a retry
    // with `:` percent-encoded (as some clients and proxies send it) is the same request. Raw: the
    // typed client encodes the path itself.
    const encoded = await stack.call('POST', '/v1/cycles/440310%3A2091/suspend', {
      token: organizer,
      body: { reason: '另一个理由' },
      headers: { 'idempotency-key': key },
    });
    expect(encoded.status).toBe(422);
    expect(encoded.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // The document itself is not a route of AppType: read raw.
    const doc = (await stack.call('GET', '/openapi.json')).body;
    const headers = Object.values(doc.paths as Record<string, Record<string, { parameters?: any[] }>>)
      .flatMap((p) => Object.values(p))
      .flatMap((op) => op.parameters ?? [])
      .filter((p) => p.name === 'idempotency-key');
    expect(headers.length).toBeGreaterThan(10);
    for (const h of headers) {
      expect(h.example).toBeUndefined();
      expect(h.schema.example).toBeUndefined();
      expect(h.schema.pattern).toBeDefined();
    }
  });
});

describe('a 413 on a keep-alive connection', () => {
  it('leaves the connection usable for the next request (or closes it cleanly)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(stack.api.url);
    const request = (body: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: '/v1/risks',
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${organizer}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const big = JSON.stringify(risk('大'.repeat(200_000)));
      expect((await request(big)).status).toBe(413);
      const next = await request(JSON.stringify(risk('下一次请求')));
      expect(next.status, next.text).toBe(201);
    } finally {
      agent.destroy();
    }
  });
});

describe("a cycle template, direct or a campaign's", () => {
  it('breaking a rule across its fields is 400 naming the field, the same for a start and a campaign, and starts nothing', async () => {
    const api = stack.as(organizer);
    const { positions, committees } = S.startBody();
    const broken: [string, Record<string, unknown>, string][] = [
      [
        'unknown competitive position',
        { positions, committees, policy: { competitivePositions: ['nope'] } },
        'policy.competitivePositions',
      ],
      [
        'a competitive position twice',
        { positions, committees, policy: { competitivePositions: [positions[0]!.id, positions[0]!.id] } },
        'policy.competitivePositions',
      ],
      [
        'standing committee larger than the full one',
        { positions, committees: { standing: 50, full: 21 } },
        'committees.standing',
      ],
      ['a position id twice', { positions: [positions[0], positions[0]], committees }, 'positions'],
      // A competitive post's shortlist needs seats + 1 people, and the shortlist is capped at 1:n.
      [
        'a competitive post with a shortlist of one per seat',
        { positions, committees, policy: { competitivePositions: [positions[0]!.id], shortlistPerSeat: 1 } },
        'policy.shortlistPerSeat',
      ],
      [
        'a critical personal-matters item twice',
        {
          positions,
          committees,
          policy: { inspection: { personalMatters: { criticalItems: ['business', 'business'] } } },
        },
        'policy.inspection.personalMatters.criticalItems',
      ],
      // Found from outside: a version of spaces only (or ideographic spaces) was taken and shown as the name.
      ['a policy version of spaces only', { positions, committees, policy: { version: '   ' } }, 'policy.version'],
      [
        'a policy version of ideographic spaces',
        { positions, committees, policy: { version: '\u3000\u3000' } },
        'policy.version',
      ],
      // "More than all members" can never be reached: no nomination or election could pass.
      [
        'a decision majority of all members',
        { positions, committees, policy: { decisionMajority: { num: 1, den: 1 } } },
        'policy.decisionMajority',
      ],
      [
        'an election majority of all ballots',
        { positions, committees, policy: { electionMajority: { num: 3, den: 3 } } },
        'policy.electionMajority',
      ],
      // The shortlist is drawn from the inspection candidates: it cannot be the longer list.
      [
        'a shortlist longer than the inspection list',
        { positions, committees, policy: { inspectionPerSeat: 1, shortlistPerSeat: 10 } },
        'policy.shortlistPerSeat',
      ],
      [
        'two calendar overrides for one year',
        {
          positions,
          committees,
          policy: {
            calendar: {
              kind: 'cn',
              overrides: [
                { year: 2090, holidays: ['2090-01-02'], workdays: [] },
                { year: 2090, holidays: [], workdays: [] },
              ],
            },
          },
        },
        'policy.calendar.overrides',
      ],
    ];
    for (const [what, template, path] of broken) {
      const start = await read(
        api.v1.cycles.$post({ json: { jurisdictionId: '440306', term: '2094', ...template } as never }),
      );
      expectStatus(start, 400);
      expect(start.body.error.details, what).toEqual([expect.objectContaining({ path })]);
      const campaign = await read(
        api.v1.campaigns.$post({
          json: { rootId: '440300', level: 'county', term: '2094', template } as never,
        }),
      );
      expectStatus(campaign, 400);
      expect(campaign.body.error.details, what).toEqual([expect.objectContaining({ path: `template.${path}` })]);
    }
    const noYear = await read(api.v1.cycles.$post({ json: S.startBody('440306', '0000') }));
    expectStatus(noYear, 400);
    expect(noYear.body.error.details).toEqual([expect.objectContaining({ path: 'term' })]);
    // The same rule for a campaign's term (found from outside: 1899 and 0000 started cycles).
    const { positions: ps, committees: cs } = S.startBody();
    for (const term of ['0000', '1899']) {
      const campaign = await read(
        api.v1.campaigns.$post({
          json: { rootId: '440300', level: 'county', term, template: { positions: ps, committees: cs } } as never,
        }),
      );
      expectStatus(campaign, 400);
      expect(campaign.body.error.details).toEqual([expect.objectContaining({ path: 'term' })]);
    }
    expectStatus(await read(api.v1.cycles[':cycleId'].$get({ param: { cycleId: '440306:2094' } })), 404);
    expectStatus(
      await read(api.v1.campaigns[':campaignId'].$get({ param: { campaignId: '440300:county:2094' } })),
      404,
    );
  });
});
