/**
 * Security on the real stack: the per-user rate limit, refusals on the record, the codec endpoint
 * for the Temporal UI, and no personal data in clear in Temporal's history.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, loadSampleTree, startStack, TRUSTED_UI_ORIGIN, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

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
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await get(calm)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('refusals are recorded', () => {
  it('a 403 and an out-of-scope 404 each leave an access.denied row naming who tried what', async () => {
    const viewer = await stack.token(['viewer'], '440300', '观察员-王');
    const outsider = await stack.token(['organizer'], '440306', '宝安-赵');
    const forbidden = await stack.call('POST', '/v1/cycles', { token: viewer, body: S.startBody('440307', '2040') });
    expect(forbidden.status).toBe(403);
    const hidden = await stack.call('GET', '/v1/cycles/440304:2040', { token: outsider });
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
    const viewer = await stack.token(['viewer'], '440000');
    const res = await stack.call('GET', '/v1/audit/verify', { token: viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true });
    expect(res.body.rows).toBeGreaterThan(0);
    expect(
      (await stack.call('GET', '/v1/audit/verify', { token: await stack.token(['intake'], '440000') })).status,
    ).toBe(403);
  });
});

describe('payloads in Temporal', () => {
  const cycleId = '440305:2041';

  it('are unreadable without the codec: a plain client sees no names, reasons or inputs in the history', async () => {
    const organizer = await stack.token(['organizer'], '440300');
    expect(
      (await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440305', '2041') })).status,
    ).toBe(201);
    const path = `/v1/cycles/${cycleId}`;
    await stack.call('POST', `${path}/launch`, { token: organizer, body: S.launch });
    await eventually(async () => (await stack.call('GET', path, { token: organizer })).body.stage === 'analysis');
    await stack.call('POST', `${path}/analysis`, { token: organizer, body: S.analysis });
    await eventually(async () => (await stack.call('GET', path, { token: organizer })).body.stage === 'recommendation');
    await stack.call('POST', `${path}/recommendation-rounds`, { token: organizer, body: S.cadreMeeting });
    await stack.call('POST', `${path}/recommendation-rounds`, { token: organizer, body: S.fullCommittee });
    await eventually(async () => (await stack.call('GET', path, { token: organizer })).body.candidates?.[0]?.opened);
    const stop = await stack.call('POST', `${path}/candidates/s1/stop`, {
      token: organizer,
      body: { reason: '个人有关事项瞒报房产两处', cause: 'violation' },
    });
    expect(stop.status).toBe(200);
    // A rejected update's message travels back encrypted as well.
    expect(
      (
        await stack.call('POST', `${path}/candidates/s1/stop`, {
          token: organizer,
          body: { reason: '再次', cause: 'other' },
        })
      ).status,
    ).toBe(409);

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
  });
});
