/**
 * What Temporal's refusals mean to a caller. A Temporal that is up but busy with one workflow is not
 * "unreachable": it refuses an Update past the workflow's in-flight limit (RESOURCE_EXHAUSTED) and
 * aborts those waiting when it reloads the workflow ("workflow update was aborted", UNAVAILABLE) — both
 * retried by the server itself. Found from outside: 200 inputs at once to one cycle answered 161 times
 * "temporal unavailable … unreachable" while Temporal was up.
 */
import { ServiceError } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { createPool } from '../../activities/db.js';
import { toApiError } from '../../api/errors.js';

/** As the SDK's client hands a gRPC refusal over: a ServiceError whose cause carries code and details. */
const refused = (code: number, name: string, details: string) =>
  new ServiceError('Failed to issue update', {
    cause: Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} }),
  });

describe('Temporal refusing an Update', () => {
  it('past the workflow’s in-flight limit: 503 busy, with Retry-After', () => {
    const e = toApiError(
      refused(8, 'RESOURCE_EXHAUSTED', 'limit on number of concurrent in-flight updates has been reached (10)'),
    );
    expect(e).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      details: [{ path: 'temporal', rule: 'busy' }],
    });
    expect(e!.retryAfterSeconds).toBeGreaterThan(0);
    expect(e!.message).toMatch(/busy/);
  });

  it('aborted while the server reloads the workflow: 503 busy, not unreachable', () => {
    const e = toApiError(refused(14, 'UNAVAILABLE', 'workflow update was aborted'));
    expect(e).toMatchObject({ status: 503, details: [{ path: 'temporal', rule: 'busy' }] });
    expect(e!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('sent while its workflow is between two runs (continuing as new): 503 busy, not unreachable', () => {
    const e = toApiError(refused(14, 'UNAVAILABLE', 'unable to locate current workflow execution'));
    expect(e).toMatchObject({ status: 503, details: [{ path: 'temporal', rule: 'busy' }] });
  });

  it('a frontend that cannot be reached is still unreachable', () => {
    const e = toApiError(refused(14, 'UNAVAILABLE', 'No connection established'));
    expect(e).toMatchObject({ status: 503, details: [{ path: 'temporal', rule: 'unreachable' }] });
  });
});

describe('Temporal clearing a query', () => {
  // The server's own words (service/history/consts: ErrBufferedQueryCleared) when the workflow task a
  // query waited on failed or was refused — under a burst of inputs, seen in CI as "unreachable".
  it('buffered query cleared: 503 not ready, busy, with a short Retry-After — not unreachable', () => {
    const e = toApiError(
      new ServiceError('Failed to query workflow', {
        cause: Object.assign(new Error('14 UNAVAILABLE: buffered query cleared, please retry'), {
          code: 14,
          details: 'buffered query cleared, please retry',
          metadata: {},
        }),
      }),
    );
    expect(e).toMatchObject({ status: 503, code: 'NOT_READY', details: [{ path: 'temporal', rule: 'busy' }] });
    expect(e!.retryAfterSeconds).toBe(1);
  });
});

describe('PostgreSQL through the API’s pool', () => {
  // Found from outside: under a burst of inputs the API's pool had no free connection for pg's 2 s wait,
  // and the answer said "database unreachable" while PostgreSQL answered everyone else.
  it('every connection in use for the whole wait: 503 database busy, Retry-After 1 — not unreachable', async () => {
    const pool = createPool(inject('databaseUrl'), { max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    try {
      const failed = await pool.query('SELECT 1').catch((e: unknown) => e);
      const e = toApiError(failed);
      expect(e).toMatchObject({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        details: [{ path: 'database', rule: 'busy' }],
      });
      expect(e!.retryAfterSeconds).toBe(1);
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('a server that refuses connections is still unreachable', async () => {
    const url = new URL(inject('databaseUrl'));
    url.port = '1';
    const pool = createPool(url.toString(), { max: 1 });
    try {
      const e = toApiError(await pool.query('SELECT 1').catch((err: unknown) => err));
      expect(e).toMatchObject({ status: 503, details: [{ path: 'database', rule: 'unreachable' }] });
    } finally {
      await pool.end();
    }
  });
});
