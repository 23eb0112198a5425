/**
 * One deadline per request, end to end (api/request-clock.ts), and an input the cycle took is never
 * answered as if it had not been. Found from outside under a burst on a long-lived cycle: keyless holds
 * the cycle had taken answered `503 database unreachable` (their answer waited for a connection from a
 * full pool), and answers took up to 100 s against TEMPORAL_DEADLINE_SECONDS (30). Here the API's
 * PostgreSQL is made to fail or to hang on one statement — the read of the cycle's projection, which an
 * input's answer and a GET both make — while Temporal and the worker run as usual.
 */
import { Client } from '@temporalio/client';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../activities/db.js';
import { loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { apiClient, read } from './client.js';

let stack: Stack;
let organizer: string;

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', 'deadline');
});
afterAll(() => stack?.stop());

/**
 * The API's pool, but the reads of a cycle's projection (api/queries/cycles.ts: 'projection' for an
 * input's answer, 'cycle-for-reader' for a GET) fail or never answer.
 */
function poolWhoseProjectionRead(mode: { now: 'fail' | 'hang' | 'ok' }): Pool {
  const real = stack.pool;
  const query = (config: unknown, ...rest: unknown[]) => {
    if (PROJECTION_READS.includes((config as pg.QueryConfig | undefined)?.name ?? '') && mode.now !== 'ok')
      return mode.now === 'fail'
        ? Promise.reject(new Error('timeout exceeded when trying to connect'))
        : new Promise(() => undefined);
    return (real.query as (...a: unknown[]) => unknown).call(real, config, ...rest);
  };
  return new Proxy(real, { get: (t, p) => (p === 'query' ? query : Reflect.get(t, p, t)) });
}

const PROJECTION_READS = ['projection', 'cycle-for-reader'];

async function startCycle(term: string) {
  const param = { cycleId: `440309:${term}` };
  const started = await read(stack.as(organizer).v1.cycles.$post({ json: S.startBody('440309', term) }));
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return param;
}
const holdsOn = async (param: { cycleId: string }) => {
  const got = await read(stack.as(organizer).v1.cycles[':cycleId'].$get({ param }));
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  return got.status === 200 ? got.body.holds.map((h) => h.name) : [];
};
const bounded = () => ({ init: { signal: AbortSignal.timeout(20_000) } });

describe('an input the cycle took, whose answer cannot be read', () => {
  it('answers 503 naming version (applied), never "database unreachable"; a read of the cycle shows it', async () => {
    const param = await startCycle('2201');
    const mode = { now: 'fail' as 'fail' | 'hang' | 'ok' };
    const variant = await stack.serveVariant({ pool: poolWhoseProjectionRead(mode) });
    try {
      const as = apiClient(variant.url, organizer);
      // Keyless: the caller cannot retry it safely, so the answer must say what happened.
      const failed = await read(
        as.v1.cycles[':cycleId'].holds.$post(
          { param, json: { name: 'read-fails', reason: '核查' }, header: {} },
          bounded(),
        ),
      );
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', details: [{ path: 'version' }] },
      });
      expect(JSON.stringify(failed.body)).not.toMatch(/unreachable|database/);
      expect(failed.headers.get('retry-after')).toBe('1');
      expect(await holdsOn(param)).toContain('read-fails');

      // The same wait failing a GET is the database busy, said as such: nothing was asked to change.
      const got = await read(as.v1.cycles[':cycleId'].$get({ param }, bounded()));
      expect(got.status).toBe(503);
      expect(got.body).toMatchObject({ error: { details: [{ path: 'database', rule: 'busy' }] } });
    } finally {
      await variant.close();
    }
  });
});

describe('a request that cannot finish by its deadline', () => {
  it('is answered at the deadline: a taken input as applied (version), a read as 503 naming the deadline', async () => {
    const param = await startCycle('2202');
    const mode = { now: 'hang' as 'fail' | 'hang' | 'ok' };
    const variant = await stack.serveVariant({ pool: poolWhoseProjectionRead(mode), temporalDeadlineMs: 5_000 });
    try {
      const as = apiClient(variant.url, organizer);
      // The projection read never answers: without a deadline of its own the answer never came.
      const taken = await read(
        as.v1.cycles[':cycleId'].holds.$post(
          { param, json: { name: 'read-hangs', reason: '核查' }, header: { 'idempotency-key': 'deadline-hold-1' } },
          bounded(),
        ),
      );
      expect(taken.status, JSON.stringify(taken.body)).toBe(503);
      expect(taken.body).toMatchObject({ error: { details: [{ path: 'version' }] } });
      expect(await holdsOn(param)).toContain('read-hangs');

      const got = await read(as.v1.cycles[':cycleId'].$get({ param }, bounded()));
      expect(got.status, JSON.stringify(got.body)).toBe(503);
      expect(got.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', details: [{ path: 'deadline' }] } });
      expect(got.headers.get('retry-after')).toBe('1');

      // Answered again once PostgreSQL answers: the retry with the key gives the cycle, the hold once.
      mode.now = 'ok';
      const again = await read(
        as.v1.cycles[':cycleId'].holds.$post(
          { param, json: { name: 'read-hangs', reason: '核查' }, header: { 'idempotency-key': 'deadline-hold-1' } },
          bounded(),
        ),
      );
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      if (again.status === 200) expect(again.body.holds.filter((h) => h.name === 'read-hangs')).toHaveLength(1);
    } finally {
      await variant.close();
    }
  });
});

/**
 * Found from outside under bursts: the server kept clearing the cycle's Update registry (retrying each
 * aborted Update inside it), and inputs the workflow accepted seconds before the deadline never heard so:
 * answered 504 "may still apply". Here the send's answer is lost on the way back (the Update reaches the
 * workflow and is accepted; the call then never answers), so only the API's own question can tell.
 */
describe('an input the workflow accepted whose Update never answers', () => {
  it('is answered at the deadline as applied (version), not 504', async () => {
    const param = await startCycle('2204');
    const real = stack.client.connection;
    const workflowService = new Proxy(real.workflowService, {
      get(target, key) {
        if (key !== 'updateWorkflowExecution') return Reflect.get(target, key, target);
        return async (request: Parameters<typeof target.updateWorkflowExecution>[0]) => {
          await target.updateWorkflowExecution(request);
          return new Promise(() => undefined);
        };
      },
    });
    const connection = Object.create(real, { workflowService: { value: workflowService } }) as typeof real;
    const temporal = new Client({
      connection,
      namespace: stack.client.options.namespace,
      dataConverter: stack.client.options.dataConverter,
    });
    const variant = await stack.serveVariant({ temporal, temporalDeadlineMs: 8_000 });
    try {
      const as = apiClient(variant.url, organizer);
      const lost = await read(
        as.v1.cycles[':cycleId'].holds.$post(
          { param, json: { name: 'answer-lost', reason: '核查' }, header: {} },
          bounded(),
        ),
      );
      expect(lost.status, JSON.stringify(lost.body)).toBe(503);
      expect(lost.body).toMatchObject({ error: { details: [{ path: 'version' }] } });
      expect(await holdsOn(param)).toContain('answer-lost');
    } finally {
      await variant.close();
    }
  });
});
