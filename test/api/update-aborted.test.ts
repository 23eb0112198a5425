/**
 * Temporal aborts the Updates waiting on a workflow when it reloads it ("workflow update was aborted",
 * gRPC UNAVAILABLE) — those the workflow already took among them. Found from outside: in a burst of
 * 200 holds, one answered 503 busy was on the cycle all the same, so its sender, told to try again,
 * would have doubled it without a key. The abort is reproduced here at the client, on a real server:
 * once after the Update really went through (its answer lost), once before it was sent at all.
 */
import { Client, ServiceError, type WorkflowClientInterceptor } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCodecKeys } from '../../temporal/codec.js';
import { dataConverter } from '../../temporal/connection.js';
import { loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { read } from './client.js';

let stack: Stack;
let organizer: string;

/** The error the server gives an Update it aborted while reloading its workflow. */
const aborted = () =>
  new ServiceError('Workflow Update failed', {
    cause: Object.assign(new Error('14 UNAVAILABLE: workflow update was aborted'), {
      code: 14,
      details: 'workflow update was aborted',
    }),
  });

/** An API whose Temporal client meets the abort on every Update: after sending it, or instead. */
async function apiWhoseUpdatesAbort(
  when: 'after the workflow took it' | 'before sending it' | 'the first send only' | 'every send, one taken later',
) {
  let sends = 0;
  const interceptor: WorkflowClientInterceptor = {
    async startUpdate(input, next) {
      sends++;
      if (when === 'the first send only' && sends > 1) return next(input);
      if (when === 'after the workflow took it') await next(input);
      // A copy in a workflow task the worker still holds, taken a second after the last send's abort.
      if (when === 'every send, one taken later' && sends === 3)
        setTimeout(() => void next(input).catch(() => undefined), 1000);
      throw aborted();
    },
  };
  const client = new Client({
    connection: stack.client.connection,
    namespace: inject('namespace'),
    dataConverter: dataConverter(parseCodecKeys(inject('codecKeys'))),
    interceptors: { workflow: [interceptor] },
  });
  return stack.serveVariant({ temporal: client });
}

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '组织部');
});
afterAll(() => stack?.stop());

async function placeHold(apiUrl: string, cycleId: string, body: { name: string; reason: string }) {
  const res = await fetch(`${apiUrl}/v1/cycles/${cycleId}/holds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${organizer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const holdNames = async (cycleId: string) => {
  const state = await read(stack.as(organizer).v1.cycles[':cycleId'].$get({ param: { cycleId } }));
  expect(state.status).toBe(200);
  return state.status === 200 ? state.body.holds.map((h) => h.name) : [];
};

describe('an Update Temporal reports aborted', () => {
  it('taken by the workflow all the same: answered as applied (200, once), not 503', async () => {
    const cycleId = '440304:2042';
    expect((await read(stack.as(organizer).v1.cycles.$post({ json: S.startBody('440304', '2042') }))).status).toBe(201);
    const variant = await apiWhoseUpdatesAbort('after the workflow took it');
    try {
      const res = await placeHold(variant.url, cycleId, { name: 'aborted-but-taken', reason: '答复丢失' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await holdNames(cycleId)).toEqual(['aborted-but-taken']);
    } finally {
      await variant.close();
    }
  });

  it('dropped once, unknown to the server: sent again under the same id, applied once and answered 200', async () => {
    const cycleId = '440306:2042';
    expect((await read(stack.as(organizer).v1.cycles.$post({ json: S.startBody('440306', '2042') }))).status).toBe(201);
    const variant = await apiWhoseUpdatesAbort('the first send only');
    try {
      const res = await placeHold(variant.url, cycleId, { name: 'sent-again', reason: '首次被中止' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await holdNames(cycleId)).toEqual(['sent-again']);
    } finally {
      await variant.close();
    }
  });

  it('aborted at every send, but one copy taken after the last: answered as applied (200, once), not 503', async () => {
    // Found in a burst of 200 holds: two answered 503 busy were on the cycle all the same. A copy of
    // the Update in a workflow task the worker held was taken after the API's last question.
    const cycleId = '440307:2042';
    expect((await read(stack.as(organizer).v1.cycles.$post({ json: S.startBody('440307', '2042') }))).status).toBe(201);
    const variant = await apiWhoseUpdatesAbort('every send, one taken later');
    try {
      const res = await placeHold(variant.url, cycleId, { name: 'taken-later', reason: '任务中的副本' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await holdNames(cycleId)).toEqual(['taken-later']);
    } finally {
      await variant.close();
    }
  });

  it('dropped at every send: 503 busy with Retry-After, and nothing applied', async () => {
    const cycleId = '440305:2042';
    expect((await read(stack.as(organizer).v1.cycles.$post({ json: S.startBody('440305', '2042') }))).status).toBe(201);
    const variant = await apiWhoseUpdatesAbort('before sending it');
    try {
      const res = await placeHold(variant.url, cycleId, { name: 'dropped', reason: '服务繁忙' });
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body).toMatchObject({ error: { details: [{ path: 'temporal', rule: 'busy' }] } });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await holdNames(cycleId)).toEqual([]);
    } finally {
      await variant.close();
    }
  });
});
