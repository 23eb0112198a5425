/**
 * What the API refuses stays refused through Temporal (issue 11, point 2): personal-matters details
 * and a finding's summary never enter a workflow's history — not in clear, not encrypted — and the
 * codec endpoint decodes only for an operator, in scope, one named workflow at a time, on the record.
 */
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { isLoopback } from '../../api/codec.js';
import type { personalMattersSchema } from '../../domain/eager/inspection.js';
import { AesGcmCodec, parseCodecKeys } from '../../temporal/codec.js';
import { eventually, loadSampleTree, startStack, TRUSTED_UI_ORIGIN, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
const CYCLE_ID = '440305:2060';
const param = { cycleId: CYCLE_ID };
const s1 = { cycleId: CYCLE_ID, personId: 's1' };
const CANDIDATE_WF = `candidate:${CYCLE_ID}:s1`;
const CANARY = {
  declared: 'CANARY-DECLARED-无境外关系',
  verified: 'CANARY-VERIFIED-配偶已定居温哥华',
  description: 'CANARY-DESCRIPTION-核实发现房产登记在其弟名下',
  summary: 'CANARY-SUMMARY-举报人李某反映的问题经查不属实',
};
const matters: z.input<typeof personalMattersSchema> = {
  items: [
    { item: 'marriage', declared: CANARY.declared, verified: CANARY.verified },
    { item: 'realEstate', declared: 1, verified: 2, description: CANARY.description },
    ...S.criticalClear,
  ],
};

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-考察组'));
  const cycle = organizer.v1.cycles[':cycleId'];
  const header = {};
  const stage = async () => (await ok(cycle.$get({ param }))).stage;
  expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440305', '2060') }))).status).toBe(201);
  await read(cycle.launch.$post({ param, json: S.launch, header }));
  await eventually(async () => (await stage()) === 'analysis');
  await read(cycle.analysis.$post({ param, json: S.analysis, header }));
  await eventually(async () => (await stage()) === 'recommendation');
  await read(cycle['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header }));
  await read(cycle['recommendation-rounds'].$post({ param, json: S.fullCommittee, header }));
  await eventually(async () => (await read(cycle.candidates[':personId'].$get({ param: s1 }))).status === 200);
});
afterAll(() => stack?.stop());

/**
 * Every payload in a history (or any proto message), as the codec endpoint takes them (proto-JSON): a
 * `metadata` map naming its encoding, and bytes — or none, as an empty payload (an activity's null input).
 */
function payloadsIn(node: unknown, out: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && o.metadata.constructor === Object && 'encoding' in o.metadata)
    out.push(o);
  for (const v of Array.isArray(node) ? node : Object.values(o)) payloadsIn(v, out);
  return out;
}
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const encrypted = (p: Payload) => Buffer.from(p.metadata?.encoding ?? '').toString() === 'binary/encrypted';

/** A history as a plain client sees it, with every base64 run decoded too; and as the codec opens it. */
async function scan(workflowIds: string[]): Promise<{ plain: string; decoded: string }> {
  const plainClient = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    namespace: inject('namespace'),
  });
  const codec = new AesGcmCodec(parseCodecKeys(inject('codecKeys')));
  try {
    const raw: string[] = [];
    const opened: string[] = [];
    for (const id of workflowIds) {
      const history = await plainClient.workflow.getHandle(id).fetchHistory();
      raw.push(JSON.stringify(history));
      const payloads = payloadsIn(history).filter(encrypted);
      expect(payloads.length, id).toBeGreaterThan(0);
      for (const p of await codec.decode(payloads)) opened.push(Buffer.from(p.data ?? new Uint8Array()).toString());
    }
    const plain = raw.join('\n');
    const base64 = (plain.match(/[A-Za-z0-9+/=]{16,}/g) ?? []).map((b) => Buffer.from(b, 'base64').toString('utf8'));
    return { plain: `${plain}\n${base64.join('\n')}`, decoded: opened.join('\n') };
  } finally {
    await plainClient.connection.close();
  }
}

// The codec endpoint is the Temporal UI's, not a route of the API (not in AppType): raw requests.
const decode = (payloads: Payload[], headers: Record<string, string>, query = '') =>
  fetch(`${stack.api.url}/codec/decode${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ payloads: payloads.map(toJson) }),
  });
describe('the codec endpoint reads its body as the API does', () => {
  it('refuses a content coding or another charset (415) and bytes that are not UTF-8 (400)', async () => {
    // Found from outside: /codec skipped the edge rules of /v1.
    const send = (body: Buffer | string, headers: Record<string, string>) =>
      fetch(`${stack.api.url}/codec/decode?workflowId=${encodeURIComponent(CANDIDATE_WF)}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: TRUSTED_UI_ORIGIN,
          'x-namespace': 'default',
          ...headers,
        },
        body,
      });
    const plain = JSON.stringify({ payloads: [] });
    expect((await send(plain, { 'content-encoding': 'gzip' })).status).toBe(415);
    expect((await send(plain, { 'content-type': 'application/json; charset=iso-8859-1' })).status).toBe(415);
    expect((await send(Buffer.from('{"payloads":[],"x":"\xff"}', 'latin1'), {})).status).toBe(400);
  });
});

const bearer = async (roles: Parameters<Stack['token']>[0], scope: string, sub?: string) => ({
  authorization: `Bearer ${await stack.token(roles, scope, sub)}`,
});

describe('personal-matters details', () => {
  it('are refused when a verified value is of another type than the declared one, naming the field', async () => {
    // "1" against 1 would read as a discrepancy — and a boolean item as a concealment that stops the
    // candidate (outside attack, 3 December): a typing slip must be a 400, not 诫勉 on the record.
    const candidate = organizer.v1.cycles[':cycleId'].candidates[':personId'];
    const slipped = await read(
      candidate['personal-matters'].$post({
        param: { cycleId: CYCLE_ID, personId: 's2' },
        json: {
          items: [
            { item: 'realEstate', declared: '1', verified: 1 },
            { item: 'spouseAbroad', declared: false, verified: 'false' },
          ],
        },
        header: {},
      }),
    );
    expectStatus(slipped, 400);
    expect(slipped.body.error.details.map((d) => d.path)).toEqual(['items.0.verified', 'items.1.verified']);
    // A critical matter in words, a count below zero or not whole: 400 each, naming the field and never
    // the value (found from outside: 否 or none against a spouse abroad was an omission where 无 was a
    // concealment; -1 flats against 1 a concealment, 0.01 against 2 an omission).
    const worded = await read(
      candidate['personal-matters'].$post({
        param: { cycleId: CYCLE_ID, personId: 's2' },
        json: {
          items: [
            { item: 'spouseAbroad', declared: '否', verified: '是，已移居' },
            { item: 'realEstate', declared: -1, verified: 1 },
            { item: 'insurance', declared: 0.01, verified: 2 },
          ],
        },
        header: {},
      }),
    );
    expectStatus(worded, 400);
    expect(worded.body.error.details.map((d) => d.path)).toEqual(['items.1.declared', 'items.2.declared']);
    expect(JSON.stringify(worded.body)).not.toMatch(/否|已移居/);
    const critical = await read(
      candidate['personal-matters'].$post({
        param: { cycleId: CYCLE_ID, personId: 's2' },
        json: { items: [{ item: 'spouseAbroad', declared: '否', verified: '是，已移居' }] },
        header: {},
      }),
    );
    expectStatus(critical, 400);
    expect(critical.body.error.details.map((d) => d.path)).toEqual(['items.0.declared', 'items.0.verified', 'items']);
    expect(JSON.stringify(critical.body)).not.toMatch(/否|已移居/);
    // A check that leaves out a critical matter is refused: recorded once, a clean check of one item closed
    // the comparison, and a concealment found after could never be recorded (found from outside).
    const partial = await read(
      candidate['personal-matters'].$post({
        param: { cycleId: CYCLE_ID, personId: 's2' },
        json: { items: [{ item: 'insurance', declared: 0, verified: 0 }] },
        header: {},
      }),
    );
    expectStatus(partial, 400);
    expect(partial.body.error.details).toEqual([
      { path: 'items', rule: expect.stringMatching(/spouseAbroad, childrenAbroad, business/) },
    ]);
    const s2 = await read(candidate.$get({ param: { cycleId: CYCLE_ID, personId: 's2' } }));
    expectStatus(s2, 200);
    expect(s2.body.status).toBe('inspecting');
    expect(s2.body.dossier?.personalMatters).toBeUndefined();
  });

  it('are sealed in Postgres first: the candidate and cycle histories hold no canary, plain or decoded', async () => {
    const candidate = organizer.v1.cycles[':cycleId'].candidates[':personId'];
    const posted = await read(candidate['personal-matters'].$post({ param: s1, json: matters, header: {} }));
    expectStatus(posted, 200);
    // The workflow still decides from the classification it was sent.
    expect(posted.body.dossier?.personalMatters).toMatchObject({
      outcome: 'omission',
      discrepancies: [
        { item: 'marriage', kind: 'omission', rule: expect.any(String) },
        { item: 'realEstate', kind: 'omission', rule: expect.any(String) },
      ],
    });
    // The organization department opens the sealed record, details and all.
    const opened = await read(candidate['personal-matters'].$get({ param: s1 }));
    expectStatus(opened, 200);
    expect(opened.body).toMatchObject({
      outcome: 'omission',
      items: [
        expect.objectContaining({ declared: CANARY.declared, verified: CANARY.verified }),
        expect.objectContaining({ description: CANARY.description }),
        ...S.criticalClear.map((i) => expect.objectContaining(i)),
      ],
    });
    const { rows } = await stack.pool.query(`SELECT details_sealed FROM personal_matters_checks WHERE cycle_id = $1`, [
      CYCLE_ID,
    ]);
    expect(JSON.stringify(rows)).not.toContain('CANARY');

    const { plain, decoded } = await scan([CANDIDATE_WF, `cycle:${CYCLE_ID}`]);
    for (const canary of [CANARY.declared, CANARY.verified, CANARY.description, 'CANARY']) {
      expect(plain, canary).not.toContain(canary);
      expect(decoded, canary).not.toContain(canary);
    }
    // The decoded history is real (the candidate's name is there), so the scan saw the payloads.
    expect(decoded).toContain('张伟');
  });

  it('a candidate workflow refuses details sent to it directly: only a sealed reference is accepted', async () => {
    const res = await stack.client.workflow
      .getHandle(`candidate:${CYCLE_ID}:s2`)
      .executeUpdate('recordPersonalMatters', { args: [matters, { id: 'x', role: 'organizer' }] })
      .catch((e: Error) => e);
    expect(res).toBeInstanceOf(Error);
    expect(String((res as Error & { cause?: Error }).cause?.message ?? (res as Error).message)).toMatch(/sealedRef/);
  });
});

describe('the codec endpoint', () => {
  it("a viewer — or an organizer — posting the candidate's history payloads gets 403, named workflow or not", async () => {
    const payloads = payloadsIn(await stack.client.workflow.getHandle(CANDIDATE_WF).fetchHistory()).filter(encrypted);
    expect(payloads.length).toBeGreaterThan(2);
    const viewer = await bearer(['viewer'], '440300', '观察员-解码');
    expect((await decode(payloads, viewer)).status).toBe(403);
    expect((await decode(payloads, { ...viewer, 'x-huanjie-workflow-id': CANDIDATE_WF })).status).toBe(403);
    expect((await decode(payloads, await bearer(['organizer'], '440000'))).status).toBe(403);
    // The refusal is on the record like any other.
    const { rows } = await stack.pool.query(
      `SELECT subject_id, detail FROM audit_events WHERE action = 'access.denied' AND actor = '观察员-解码'`,
    );
    expect(rows).toContainEqual(expect.objectContaining({ subject_id: 'POST /codec/decode' }));
  });

  it('an operator decodes a named workflow in scope; out of scope is 404, foreign payloads 403, no name 400', async () => {
    const history = await stack.client.workflow.getHandle(CANDIDATE_WF).fetchHistory();
    const payloads = payloadsIn(history).filter(encrypted);
    const operator = await bearer(['operator'], '440300', '运维-王');
    const ok = await decode(payloads, { ...operator, 'x-huanjie-workflow-id': CANDIDATE_WF });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { payloads: { data?: string }[] };
    expect(body.payloads).toHaveLength(payloads.length);
    expect(body.payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString()).join('\n')).toContain('张伟');
    // The workflow id may come as a query parameter too (the UI cannot add headers).
    expect((await decode(payloads, operator, `?workflowId=${encodeURIComponent(CANDIDATE_WF)}`)).status).toBe(200);

    const elsewhere = await bearer(['operator'], '440306', '运维-宝安');
    const outOfScope = await decode(payloads, { ...elsewhere, 'x-huanjie-workflow-id': CANDIDATE_WF });
    expect(outOfScope.status).toBe(404);

    // A payload from another workflow cannot ride on one in scope.
    const otherCandidate = payloadsIn(
      await stack.client.workflow.getHandle(`candidate:${CYCLE_ID}:s2`).fetchHistory(),
    ).filter(encrypted);
    const smuggled = await decode([payloads[0]!, otherCandidate[0]!], {
      ...operator,
      'x-huanjie-workflow-id': CANDIDATE_WF,
    });
    expect(smuggled.status).toBe(403);
    expect(((await smuggled.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe(
      'payloads.1',
    );

    const unnamed = await decode(payloads, operator);
    expect(unnamed.status).toBe(400);
    expect(((await unnamed.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe(
      'header.X-Huanjie-Workflow-Id',
    );
    expect(
      (await decode(payloads, { ...operator, 'x-huanjie-workflow-id': `candidate:${CYCLE_ID}:nobody` })).status,
    ).toBe(404);
  });

  it('a payload whose marks were altered, or that no key opens, is refused naming it — never a 500', async () => {
    // Found from outside: the "one of its own" check compared the bytes alone, so a payload of the run
    // with its key id or compression mark changed passed it and failed inside decryption, answering 500.
    const payloads = payloadsIn(await stack.client.workflow.getHandle(CANDIDATE_WF).fetchHistory()).filter(encrypted);
    const own = toJson(payloads[0]!);
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const { 'encryption-key-id': _key, ...keyless } = own.metadata;
    const altered = [
      { ...own, metadata: keyless },
      { ...own, metadata: { ...own.metadata, 'encryption-key-id': b64('other') } },
      { ...own, metadata: { ...own.metadata, compression: b64('deflate-raw') } },
      { ...own, data: '' },
    ];
    const operator = { ...(await bearer(['operator'], '440300', '运维-改')), 'x-huanjie-workflow-id': CANDIDATE_WF };
    const local = { origin: TRUSTED_UI_ORIGIN };
    const post = (op: 'encode' | 'decode', body: unknown, headers: Record<string, string>) =>
      fetch(`${stack.api.url}/codec/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    for (const [i, p] of altered.entries()) {
      // An operator names the run: an altered payload is not one of its own.
      const asOperator = await post('decode', { payloads: [own, p] }, operator);
      expect(asOperator.status, `operator, payload ${i}: ${await asOperator.clone().text()}`).toBe(403);
      expect(((await asOperator.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe(
        'payloads.1',
      );
      // The local UI names none: the codec cannot open it.
      const fromUi = await post('decode', { payloads: [own, p] }, local);
      expect(fromUi.status, `local UI, payload ${i}`).toBe(400);
      const body = (await fromUi.json()) as { error: { code: string; details: { path: string; rule: string }[] } };
      expect(body.error.details).toEqual([{ path: 'payloads.1', rule: expect.stringMatching(/as stored/) }]);
      expect(JSON.stringify(body)).not.toMatch(/张伟|南山/);
    }
    // A compressed payload (4 KB or more) with its mark taken off: refused the same way.
    const large = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ text: '大'.repeat(5000) })) };
    const [compressed] = (
      (await (await post('encode', { payloads: [large] }, local)).json()) as { payloads: (typeof own)[] }
    ).payloads;
    expect(Buffer.from(compressed!.metadata.compression!, 'base64').toString()).toBe('deflate-raw');
    const { compression: _mark, ...unmarked } = compressed!.metadata;
    expect((await post('decode', { payloads: [{ ...compressed!, metadata: unmarked }] }, local)).status).toBe(400);
    expect((await post('decode', { payloads: [compressed] }, local)).status).toBe(200);
    // Metadata values and data are base64 strings: anything else is 400 naming it, to encode as to decode.
    for (const op of ['encode', 'decode'] as const) {
      const wrong = await post(op, { payloads: [{ metadata: { encoding: 7 }, data: b64('x') }] }, local);
      expect(wrong.status, op).toBe(400);
      expect(((await wrong.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe(
        'payloads.0.metadata.encoding',
      );
      const notText = await post(op, { payloads: [{ data: 12 }] }, local);
      expect(notText.status, op).toBe(400);
      expect(((await notText.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe(
        'payloads.0.data',
      );
    }
  });

  it("an operator decodes a run's whole batch as the UI sends it, empty payloads too; bad base64 is 400 naming it", async () => {
    // Found from outside (attack 49): after the marks joined the own-payload check, the empty payloads of
    // a history (an activity's null input, a void result: no data at all) were not collected as the
    // run's own, so the UI's batch of a whole history answered 403.
    const history = await stack.client.workflow.getHandle(`cycle:${CYCLE_ID}`).fetchHistory();
    const all = payloadsIn(history);
    const empty = all.filter((p) => !p.data || p.data.length === 0);
    expect(empty.length).toBeGreaterThan(0);
    const operator = {
      ...(await bearer(['operator'], '440300', '运维-整批')),
      'x-huanjie-workflow-id': `cycle:${CYCLE_ID}`,
    };
    const whole = await decode(all, operator);
    expect(whole.status, await whole.clone().text()).toBe(200);
    expect(((await whole.json()) as { payloads: unknown[] }).payloads).toHaveLength(all.length);
    // Not base64: named, whichever payload it is in.
    const bad = { ...toJson(all[0]!), data: '@@@@' };
    const refused = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...operator },
      body: JSON.stringify({ payloads: [toJson(all[0]!), bad] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { details: unknown[] } }).error.details).toEqual([
      { path: 'payloads.1.data', rule: 'base64 text' },
    ]);
  });

  it('each decode is on the audit chain: who, which workflow, how many — never the content', async () => {
    const payloads = payloadsIn(await stack.client.workflow.getHandle(`cycle:${CYCLE_ID}`).fetchHistory())
      .filter(encrypted)
      .slice(0, 3);
    const res = await decode(payloads, {
      ...(await bearer(['operator'], '440305', '运维-审计')),
      'x-huanjie-workflow-id': `cycle:${CYCLE_ID}`,
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const fromUi = await decode(payloads.slice(0, 1), { origin: TRUSTED_UI_ORIGIN, 'x-namespace': 'default' });
    expect(fromUi.status).toBe(200);
    const { rows } = await stack.pool.query(
      `SELECT actor, role, request_id, subject_type, subject_id, cycle_id, jurisdiction_id, detail FROM audit_events
       WHERE action = 'codec.decoded' ORDER BY id`,
    );
    expect(rows).toContainEqual({
      actor: '运维-审计',
      role: 'operator',
      request_id: requestId,
      subject_type: 'workflow',
      subject_id: `cycle:${CYCLE_ID}`,
      cycle_id: CYCLE_ID,
      jurisdiction_id: '440305',
      detail: { payloads: 3, namespace: inject('namespace'), runId: expect.any(String) },
    });
    expect(rows).toContainEqual(
      expect.objectContaining({
        actor: `temporal-ui ${TRUSTED_UI_ORIGIN}`,
        role: 'trusted-origin',
        subject_type: 'codec',
        detail: expect.objectContaining({ payloads: 1 }),
      }),
    );
    expect(JSON.stringify(rows)).not.toMatch(/张伟|南山/);
    const viewer = stack.as(await stack.token(['viewer'], '440000'));
    expect((await ok(viewer.v1.audit.verify.$get())).ok).toBe(true);
  });
});

describe('the tokenless door for the local UI', () => {
  it('opens only to a loopback peer (an Origin header alone is a claim anyone can make)', () => {
    for (const a of ['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['10.0.0.5', '::ffff:10.0.0.5', '192.168.1.127', 'fe80::1', '', undefined])
      expect(isLoopback(a), String(a)).toBe(false);
  });
});

describe("an investigator's finding summary", () => {
  it('is sealed, never in a history, and shown only to the roles that read the report text (the channel reference too)', async () => {
    const intake = stack.as(await stack.token(['intake'], '440305', '举报受理-周'));
    const investigator = stack.as(await stack.token(['investigator'], '440305', '查核组-吴'));
    const registered = await read(
      intake.v1.reports.$post({
        json: {
          channel: 'letter',
          channelRef: 'XF-2026-0417',
          category: 'other',
          text: '反映南山区换届中的问题',
          receivedAt: '2026-11-02T10:00:00+08:00',
          target: { type: 'jurisdiction', jurisdictionId: '440305' },
        },
        header: {},
      }),
    );
    expectStatus(registered, 201);
    const reportId = registered.body.reportId;
    const closed = await read(
      investigator.v1.reports[':reportId'].findings.$post({
        param: { reportId },
        json: { finding: 'unsubstantiated', summary: CANARY.summary },
        header: {},
      }),
    );
    expectStatus(closed, 200);
    expect(closed.body.status).toBe('closed');

    const { rows } = await stack.pool.query(`SELECT * FROM reports WHERE id = $1`, [reportId]);
    expect(rows[0].summary).toBeNull();
    expect(rows[0].summary_sealed).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('CANARY');

    const seenBy = (api: ApiClient) => ok(api.v1.reports[':reportId'].$get({ param: { reportId } }));
    for (const role of ['viewer', 'organizer', 'supervisor'] as const) {
      const seen = await seenBy(stack.as(await stack.token([role], '440305')));
      expect(seen.finding, role).toBe('unsubstantiated');
      expect(JSON.stringify(seen), role).not.toContain('CANARY');
      // The letter's reference ties a report to its source: as in the list, not for these roles.
      expect(seen.channel_ref, role).toBeUndefined();
    }
    expect((await seenBy(investigator)).summary).toBe(CANARY.summary);
    expect((await seenBy(investigator)).channel_ref).toBe('XF-2026-0417');
    expect((await seenBy(intake)).summary).toBe(CANARY.summary);

    const { plain, decoded } = await scan([`report:${reportId}`]);
    expect(plain).not.toContain('CANARY');
    expect(decoded).not.toContain('CANARY');
  });
});
