/**
 * The HTTP surface on the real stack: health and readiness, the OpenAPI document, tokens, roles,
 * scope, and the uniform error body for bad input. API routes go through the typed client; raw
 * requests only where the types cannot go: /healthz, /readyz, /metrics, /openapi.json and /docs
 * (the process's, not API routes), unknown fields, malformed JSON, an unknown route, oversize bodies.
 */
import { connect } from 'node:net';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../activities/db.js';
import { AUTH, eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { errorOf, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: string;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack({ bodyLimitBytes: 64 * 1024 });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300');
  api = stack.as(organizer);
});
afterAll(() => stack?.stop());

const expectError = (res: { status: number; body: unknown }, status: number, code: string) => {
  expect(res.status).toBe(status);
  // Every refusal names the field and the rule (found from outside: 401, 404, 413, 415 and 429 had none).
  expect(res.body).toEqual({
    error: {
      code,
      message: expect.any(String),
      details: expect.arrayContaining([{ path: expect.any(String), rule: expect.any(String) }]),
      requestId: expect.any(String),
    },
  });
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|node_modules|SELECT |INSERT /);
  return errorOf(res)!;
};

describe('health, readiness and documentation', () => {
  it('/healthz answers while the process lives; /readyz when Temporal and Postgres answer', async () => {
    expect((await stack.call('GET', '/healthz')).body).toEqual({ ok: true });
    const ready = await stack.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ok: true, checks: { temporal: 'ok', postgres: 'ok' } });
  });

  it('/readyz answers 503 naming Postgres when it is unreachable', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/nowhere', { max: 1 });
    const variant = await stack.serveVariant({ pool: deadPool });
    try {
      const res = await fetch(`${variant.url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { checks: Record<string, string> };
      expect(body.checks.temporal).toBe('ok');
      expect(body.checks.postgres).toMatch(/^down: /);
    } finally {
      await variant.close();
      await deadPool.end();
    }
  });

  it('serves the OpenAPI document with every route, Chinese examples and the error body', async () => {
    const doc = (await stack.call('GET', '/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/cycles',
      '/v1/cycles/{cycleId}',
      '/v1/cycles/{cycleId}/timeline',
      '/v1/cycles/{cycleId}/launch',
      '/v1/cycles/{cycleId}/election',
      '/v1/cycles/{cycleId}/holds',
      '/v1/cycles/{cycleId}/candidates/{personId}/dossier',
      '/v1/jurisdictions',
      '/v1/jurisdictions/{id}/subtree',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(JSON.stringify(doc.paths['/v1/cycles']!.post!.requestBody)).toContain('区委书记');
    expect(doc.components.schemas.Error).toBeDefined();
    // Every /v1 operation lists the answers any of them may give: 429 and 503 with Retry-After; 413 with a
    // body; 504 for an input (found from outside: a burst's 503 busy and 429 were in no operation).
    for (const [path, item] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/')))
      for (const [method, op] of Object.entries(item as Record<string, { requestBody?: unknown; responses: any }>)) {
        for (const code of ['429', '503'])
          expect(op.responses[code]?.headers?.['Retry-After'], `${method} ${path} ${code}`).toBeDefined();
        if (op.requestBody) expect(op.responses['413'], `${method} ${path} 413`).toBeDefined();
      }
    expect(doc.paths['/v1/cycles/{cycleId}/holds']!.post).toMatchObject({ responses: { 504: expect.anything() } });
    expect((await stack.call('GET', '/docs')).status).toBe(200);
  });
});

describe('the console', () => {
  it('an input no form posts to is 404 (not "the stage moved on"); a form of another stage is 409', async () => {
    const url = new URL(stack.api.url);
    const post = (input: string) =>
      fetch(`${stack.api.url}/console/cycles/${encodeURIComponent('440306:2097')}/input/${input}`, {
        method: 'POST',
        headers: {
          cookie: `huanjie_token=${organizer}`,
          origin: url.origin,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'reason=x',
        redirect: 'manual',
      });
    const started = await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440306', '2097') });
    expect(started.status).toBe(201);
    for (const input of ['bogus', 'cancel', '..%2Fabort']) expect((await post(input)).status, input).toBe(404);
    // A form of another stage: the stage moved on (or is not there yet), 409.
    expect((await post('election')).status).toBe(409);
  });
});

describe('metrics', () => {
  it('/metrics counts requests by route pattern (never by a cycle id) for Prometheus', async () => {
    await read(api.v1.cycles[':cycleId'].$get({ param: { cycleId: '440306:2026' } }));
    const res = await fetch(`${stack.api.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/huanjie_http_requests_total\{[^}]*route="\/v1\/cycles\/:cycleId"/);
    expect(text).toMatch(/huanjie_http_request_duration_seconds_bucket/);
    expect(text).not.toContain('440306:2026');
  });
});

describe('authentication', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = { sub: 'u', roles: ['organizer'], scope: '440300', iss: AUTH.issuer, aud: AUTH.audience };
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

  it.each([
    ['no token', undefined],
    ['garbage', 'not-a-jwt'],
    ['expired', () => sign({ ...claims, exp: now() - 10 }, AUTH.secret, 'HS256')],
    [
      'wrong secret',
      () => sign({ ...claims, exp: now() + 60 }, 'another-secret-another-secret-another-secret', 'HS256'),
    ],
    ['alg none', () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 60 })}.`)],
    ['wrong audience', () => sign({ ...claims, aud: 'someone-else', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['wrong issuer', () => sign({ ...claims, iss: 'someone-else', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['no expiry', () => sign(claims, AUTH.secret, 'HS256')],
    ['unknown role', () => sign({ ...claims, roles: ['admin'], exp: now() + 60 }, AUTH.secret, 'HS256')],
    // A subject is recorded as the actor of every act: one with NUL could not be written to PostgreSQL,
    // so its acts were applied and never recorded (found from outside, through the console's local
    // sign-in); a right-to-left override or 'system' would pass for someone else on the record.
    ['NUL in sub', () => sign({ ...claims, sub: 'a\u0000b', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['a control character in sub', () => sign({ ...claims, sub: 'a\u001bb', exp: now() + 60 }, AUTH.secret, 'HS256')],
    [
      'right-to-left override in sub',
      () => sign({ ...claims, sub: 'a\u202Eb', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    ['sub "system"', () => sign({ ...claims, sub: 'System', exp: now() + 60 }, AUTH.secret, 'HS256')],
    [
      'sub "system" in full width',
      () => sign({ ...claims, sub: 'ｓｙｓｔｅｍ', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    // Look-alikes from another alphabet inside an ASCII word: Cyrillic ѕ, a small capital ꜱ.
    ['sub "ѕystem"', () => sign({ ...claims, sub: '\u0455ystem', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['sub "ꜱystem"', () => sign({ ...claims, sub: '\uA731ystem', exp: now() + 60 }, AUTH.secret, 'HS256')],
    // The codec door's own actor for the Temporal UI (found from outside, 12-07: a token named so acted).
    [
      'sub "temporal-ui <origin>"',
      () => sign({ ...claims, sub: 'temporal-ui http://127.0.0.1:8233', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    // Look-alikes of the reserved names as a whole (found from outside, 12-07): all-Cyrillic, and a dash
    // that is not a hyphen-minus.
    ['sub "ЅУЅТЕМ" in Cyrillic', () => sign({ ...claims, sub: 'ЅУЅТЕМ', exp: now() + 60 }, AUTH.secret, 'HS256')],
    // And (third round) Latin small capitals, Cherokee, and a mark drawn as nothing inside the name.
    ['sub "ꜱʏꜱᴛᴇᴍ" in small capitals', () => sign({ ...claims, sub: 'ꜱʏꜱᴛᴇᴍ', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['sub "ᏚᎩᏚᎢᎬᎷ" in Cherokee', () => sign({ ...claims, sub: 'ᏚᎩᏚᎢᎬᎷ', exp: now() + 60 }, AUTH.secret, 'HS256')],
    // And (fourth round) other scripts' look-alikes, blanks as separators, ASCII rn for m and I for l.
    ['sub "ꓢꓬꓢꓔꓰꓟ" in Lisu', () => sign({ ...claims, sub: 'ꓢꓬꓢꓔꓰꓟ', exp: now() + 60 }, AUTH.secret, 'HS256')],
    [
      'sub "ЅΥЅΤΕΜ" Cyrillic and Greek',
      () => sign({ ...claims, sub: 'ЅΥЅΤΕΜ', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    ['sub "systern"', () => sign({ ...claims, sub: 'systern', exp: now() + 60 }, AUTH.secret, 'HS256')],
    // And (fifth round) spaces, signs and digits in or around the name.
    ['sub "Temporal UI"', () => sign({ ...claims, sub: 'Temporal UI', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['sub "(system)"', () => sign({ ...claims, sub: '(system)', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['sub "s y s t e m"', () => sign({ ...claims, sub: 's y s t e m', exp: now() + 60 }, AUTH.secret, 'HS256')],
    ['sub "$yst3m"', () => sign({ ...claims, sub: '$yst3m', exp: now() + 60 }, AUTH.secret, 'HS256')],
    [
      'sub "temporaI-ui" with a braille blank before the origin',
      () => sign({ ...claims, sub: 'temporaI-ui\u2800http://127.0.0.1:8233', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    [
      'sub "system" with a combining grapheme joiner',
      () => sign({ ...claims, sub: 'sys\u034Ftem', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    [
      'sub "temporal‐ui <origin>" with U+2010',
      () => sign({ ...claims, sub: 'temporal\u2010ui http://127.0.0.1:8233', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    [
      'sub "Temporal-UI" in full width',
      () => sign({ ...claims, sub: 'Ｔｅｍｐｏｒａｌ-ＵＩ', exp: now() + 60 }, AUTH.secret, 'HS256'),
    ],
    // A name that draws nothing, or one padded or filled to read as another person's (found from outside,
    // 12-07: a Hangul filler, a braille blank, U+3000 after 张三 were each the actor of a hold).
    ...[
      ['a Hangul filler', '\u3164'],
      ['a braille blank', '\u2800'],
      ['a combining mark alone', '\u0301'],
      ['the object replacement character', '\ufffc'],
      ['spaces alone', '  '],
      ['张三 and an ideographic space', '张三\u3000'],
      ['张三 after a space', ' 张三'],
      ['张三 with a Hangul filler inside', '张\u3164三'],
      ['张三 after a braille blank', '\u2800张三'],
      // And (round 61) marks and selectors drawn as nothing after a letter, ideographs that read as others.
      ['张三 and a grapheme joiner', '张三\u034f'],
      ['张三 and a variation selector', '张三\ufe0f'],
      ['张三 and an ideographic variation selector', '张三\u{e0100}'],
      ['张三 and a Khmer inherent vowel', '张三\u17b4'],
      ['a compatibility ideograph for 金', '\uf90a三'],
      ['a Kangxi radical for 一', '王\u2f00'],
    ].map(([what, sub]) => [`sub of ${what}`, () => sign({ ...claims, sub, exp: now() + 60 }, AUTH.secret, 'HS256')]),
  ] as [string, string | undefined | (() => Promise<string>)][])('%s → 401', async (_name, make) => {
    const token = typeof make === 'function' ? await make() : make;
    expectError(await read(stack.as(token).v1.cycles.$get({ query: {} })), 401, 'UNAUTHENTICATED');
  });

  it('takes the names people have: any script, NFD marks on letters, a middle dot, a Mongolian variation selector', async () => {
    for (const sub of [
      '张三',
      'Nguye\u0302\u0303n Va\u0306n A',
      '阿依古丽·买买提',
      'བཀྲ་ཤིས་',
      'ᠪᠠᠭᠠᠲᠤᠷ\u180b',
      "Jean-Luc O'Brien",
    ]) {
      const token = await sign({ ...claims, sub, exp: now() + 60 }, AUTH.secret, 'HS256');
      expect((await read(stack.as(token).v1.cycles.$get({ query: {} }))).status, sub).toBe(200);
    }
  });

  it('takes the scheme in any case (RFC 7235), and still only a bearer token', async () => {
    const token = await sign({ ...claims, exp: now() + 60 }, AUTH.secret, 'HS256');
    for (const scheme of ['bearer', 'BEARER', 'Bearer'])
      expect(
        (await fetch(`${stack.api.url}/v1/cycles`, { headers: { authorization: `${scheme} ${token}` } })).status,
      ).toBe(200);
    for (const scheme of ['Basic', 'Bearer:', 'Token']) {
      const res = await fetch(`${stack.api.url}/v1/cycles`, { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status, scheme).toBe(401);
    }
  });

  it('judges a token by its signature before anything it claims: an edited or forged one is refused as such', async () => {
    // Found from outside: a token whose exp was edited answered "token expired", so the API had read
    // claims nobody signed. Nothing a token says is looked at until its signature holds.
    const valid = await sign({ ...claims, exp: now() + 600 }, AUTH.secret, 'HS256');
    const [header, , signature] = valid.split('.');
    const tampered = [
      `${header}.${b64({ ...claims, exp: now() - 10 })}.${signature}`,
      `${header}.${b64({ ...claims, exp: now() + 600, iss: 'someone-else' })}.${signature}`,
      `${header}.${b64({ ...claims, exp: now() + 600, nbf: now() + 3600 })}.${signature}`,
      await sign({ ...claims, exp: now() - 10 }, 'another-secret-another-secret-another-secret', 'HS256'),
      // Found from outside: the signature's last character carries 2 spare bits, so four strings
      // verified as one token. Only the one canonical spelling is accepted.
      ...[1, 2, 3].map((bits) => {
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = alphabet[alphabet.indexOf(signature!.at(-1)!) ^ bits];
        return `${valid.split('.').slice(0, 2).join('.')}.${signature!.slice(0, -1)}${last}`;
      }),
    ];
    for (const token of tampered) {
      const res = await read(stack.as(token).v1.cycles.$get({ query: {} }));
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.body).toMatchObject({ error: { message: 'invalid token: token signature mismatched' } });
    }
  });
});

describe('authentication, remembered', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = { sub: 'u', roles: ['organizer'], scope: '440300', iss: AUTH.issuer, aud: AUTH.audience };

  it('a token accepted before is refused once it expires: a remembered verification never outlives exp', async () => {
    const token = await sign({ ...claims, exp: now() + 2 }, AUTH.secret, 'HS256');
    expect((await read(stack.as(token).v1.cycles.$get({ query: {} }))).status).toBe(200);
    expect((await read(stack.as(token).v1.cycles.$get({ query: {} }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, (now() + 3 - Date.now() / 1000) * 1000));
    const late = await read(stack.as(token).v1.cycles.$get({ query: {} }));
    expectError(late, 401, 'UNAUTHENTICATED');
    expect(late.body).toMatchObject({ error: { message: 'invalid token: token expired' } });
  });
});

describe('authorization and scope', () => {
  it('a viewer reads but may not start a cycle (403)', async () => {
    const viewer = stack.as(await stack.token(['viewer'], '440300'));
    expect((await read(viewer.v1.cycles.$get({ query: {} }))).status).toBe(200);
    expectError(await read(viewer.v1.cycles.$post({ json: S.startBody('440307') })), 403, 'FORBIDDEN');
  });

  it('another district is invisible: 404, whether the cycle exists or not', async () => {
    expect((await read(api.v1.cycles.$post({ json: S.startBody('440304', '2031') }))).status).toBe(201);
    const baoan = stack.as(await stack.token(['organizer'], '440306'));
    const cycle = baoan.v1.cycles[':cycleId'];
    expectError(await read(cycle.$get({ param: { cycleId: '440304:2031' } })), 404, 'NOT_FOUND');
    expectError(await read(cycle.$get({ param: { cycleId: '440304:2099' } })), 404, 'NOT_FOUND');
    expectError(
      await read(cycle.launch.$post({ param: { cycleId: '440304:2031' }, json: S.launch, header: {} })),
      404,
      'NOT_FOUND',
    );
    expectError(await read(baoan.v1.cycles.$post({ json: S.startBody('440304', '2032') })), 404, 'NOT_FOUND');
    const list = await ok(baoan.v1.cycles.$get({ query: {} }));
    expect(list.cycles.map((c) => c.id)).not.toContain('440304:2031');
    // The list reads the record, which the new cycle writes a moment after it starts.
    const cityList = await eventually(async () => {
      const r = await read(api.v1.cycles.$get({ query: { scope: '440304', stage: 'launch' } }));
      return r.status === 200 && r.body.cycles.some((c) => c.id === '440304:2031') && r.body;
    });
    expect(cityList.cycles.every((c) => c.id.startsWith('440304'))).toBe(true);
  });
});

describe('bad input gets a clear 4xx and loses nothing', () => {
  it('a deployment that has not turned compressed calendars on refuses them, naming the field', async () => {
    const variant = await stack.serveVariant({ compressedCalendars: false });
    const post = (path: string, body: unknown) =>
      fetch(`${variant.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${organizer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const cycle = await post('/v1/cycles', S.startBody('440305', '2107'));
      expect(cycle.status).toBe(400);
      expect(((await cycle.json()) as any).error.details).toEqual([
        { path: 'policy.calendar.kind', rule: expect.stringMatching(/demos and tests.*COMPRESSED_CALENDARS=1/) },
      ]);
      const campaign = await post(
        '/v1/campaigns',
        S.campaignBody('440305', '2107', { calendar: { kind: 'compressed', secondsPerWorkingDay: 0 } }),
      );
      expect(campaign.status).toBe(400);
      expect(((await campaign.json()) as any).error.details[0].path).toBe('template.policy.calendar.kind');
      // Nothing was started: the mainland calendar is still welcome.
      expect((await post('/v1/cycles', S.startBody('440305', '2107', { calendar: { kind: 'cn' } }))).status).toBe(201);
    } finally {
      await variant.close();
    }
  });

  it('an unknown field, nested or not, is refused by name (bodies the types forbid: raw)', async () => {
    const top = expectError(
      await stack.call('POST', '/v1/cycles', { token: organizer, body: { ...S.startBody('440305'), colour: 'red' } }),
      400,
      'VALIDATION',
    );
    expect(top.details).toContainEqual({ path: 'colour', rule: 'unknown field colour' });
    const nested = expectError(
      await stack.call('POST', '/v1/cycles', {
        token: organizer,
        body: { ...S.startBody('440305'), positions: [{ id: 'x', title: '区长', seats: 1, salary: 1 }] },
      }),
      400,
      'VALIDATION',
    );
    expect(nested.details).toContainEqual({ path: 'positions.0.salary', rule: 'unknown field salary' });
  });

  it('each bad field is named with its rule', async () => {
    const e = expectError(
      await read(
        api.v1.cycles.$post({
          json: { ...S.startBody('440305'), term: '26', positions: [{ id: 'a b', title: '', seats: 0 }] },
        }),
      ),
      400,
      'VALIDATION',
    );
    expect(e.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['term', 'positions.0.id', 'positions.0.title', 'positions.0.seats']),
    );
  });

  it('malformed JSON, a wrong content type and an unknown route answer in the same shape', async () => {
    expectError(
      await stack.call('POST', '/v1/cycles', {
        token: organizer,
        body: '{"jurisdictionId": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'VALIDATION',
    );
    expectError(await stack.call('GET', '/v1/nothing-here', { token: organizer }), 404, 'NOT_FOUND');
  });

  it('a body over the limit is 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ ...S.startBody('440305'), padding: 'x'.repeat(70 * 1024) });
    expectError(await stack.call('POST', '/v1/cycles', { token: organizer, body: big }), 413, 'PAYLOAD_TOO_LARGE');
    // A stream body goes out chunked, without Content-Length: the limit must count bytes as they come.
    const chunked = await fetch(`${stack.api.url}/v1/cycles`, {
      method: 'POST',
      duplex: 'half',
      headers: { authorization: `Bearer ${organizer}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("a refusal by the cycle's own rules names a field and a rule too (found from outside: 409 WRONG_STAGE and SUSPENDED had none)", async () => {
    const param = { cycleId: '440305:2205' };
    expect((await read(api.v1.cycles.$post({ json: S.startBody('440305', '2205') }))).status).toBe(201);
    const c = api.v1.cycles[':cycleId'];
    expectError(await read(c.resume.$post({ param, json: { reason: '恢复' }, header: {} })), 409, 'WRONG_STAGE');
    expect((await read(c.suspend.$post({ param, json: { reason: '暂缓' }, header: {} }))).status).toBe(200);
    expectError(await read(c.suspend.$post({ param, json: { reason: '再暂缓' }, header: {} })), 409, 'SUSPENDED');
  });

  it('a cycle whose calendar has no data for this year is refused at start (422 CALENDAR)', async () => {
    const body = S.startBody('440305', '2033', { calendar: { kind: 'cn' } });
    const covered = new Date().getUTCFullYear() <= 2026;
    const res = await read(api.v1.cycles.$post({ json: body }));
    if (covered) expect(res.status).toBe(201);
    else expectError(res, 422, 'CALENDAR');
  });

  it('every response carries a request id and secure headers', async () => {
    const res = await stack.call('GET', '/healthz');
    expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers for a caller are never cached, and console pages load nothing but their own files', async () => {
    // Found from outside (info): a report's sealed text, on the console and over the API, came without
    // Cache-Control, so a browser or a proxy could keep it; and console pages had no CSP.
    const answer = await stack.call('GET', '/v1/cycles?limit=1', { token: organizer });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const refused = await stack.call('GET', '/v1/cycles?limit=1');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${stack.api.url}/console`, { headers: { cookie: `huanjie_token=${organizer}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    // A post from another site is refused before any page: that answer carries them too.
    const crossSite = await fetch(`${stack.api.url}/console/signin/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example' },
      body: 'token=x',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('cache-control')).toBe('no-store');
    expect(crossSite.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it("the record's request id is the API's own, never one the caller sent", async () => {
    // Found from outside: an X-Request-Id sent by the caller was taken as the request's id, so two callers'
    // acts carried one id on the record (or the id of an earlier act of someone else's).
    const chosen = '00000000-0000-4000-8000-000000000001';
    const neighbour = await stack.token(['organizer'], '440305', '南山区委组织部');
    const ids: string[] = [];
    for (const token of [neighbour, neighbour]) {
      // Reading a cycle outside the caller's scope is refused and goes on the record with its request id.
      const res = await fetch(`${stack.api.url}/v1/cycles/${encodeURIComponent('440306:2097')}`, {
        headers: { authorization: `Bearer ${token}`, 'x-request-id': chosen },
      });
      expect(res.status).toBe(404);
      ids.push(res.headers.get('x-request-id')!);
    }
    expect(ids[0]).not.toBe(chosen);
    expect(ids[1]).not.toBe(ids[0]);
    const { rows } = await stack.pool.query(
      `SELECT request_id FROM audit_events WHERE action = 'access.denied' AND request_id = ANY($1::text[])`,
      [[chosen, ...ids]],
    );
    expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort());

    // A console page's acts carry the page request's id (the API's own), whatever header the browser sent.
    const page = await fetch(`${stack.api.url}/console/cycles/${encodeURIComponent('440306:2097')}`, {
      headers: { cookie: `huanjie_token=${neighbour}`, 'x-request-id': chosen },
    });
    expect(page.status).toBe(404);
    const pageId = page.headers.get('x-request-id')!;
    expect(pageId).not.toBe(chosen);
    const { rows: viaConsole } = await stack.pool.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'access.denied' AND request_id = $1`,
      [pageId],
    );
    expect(viaConsole[0].n).toBeGreaterThan(0);
  });

  it('a client that never finishes its request headers is answered 408 and let go, not held (slowloris)', async () => {
    // Found from outside: with Node's defaults such a socket was held ~77 s, 400 of them at once. The
    // test's own time limit is what a server holding it that long would fail on; nothing here is timed.
    const { hostname, port } = new URL(stack.api.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      );
      let got = '';
      socket.on('data', (b: Buffer) => (got += b.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
