/**
 * An activity that fails on a permanent database error is not retried: a NUL that reached a write
 * (past the API's edge check, e.g. from an older client of the activity) fails once, non-retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { PERMANENT_DB_ERROR } from '../../activities/permanent.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { createActivities } from '../../worker/activities.js';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), { max: 2, role: APP_ROLE });
});
afterAll(() => pool?.end());

describe('permanent database errors', () => {
  it('a NUL in a recorded event fails non-retryable, naming the SQLSTATE and not the value', async () => {
    const activities = createActivities({
      pool,
      codecKeys: parseCodecKeys(inject('codecKeys')),
      temporal: undefined as never,
      taskQueue: 'unused',
    });
    const failure = await activities
      .recordEvent({
        key: `nul:${Date.now()}`,
        at: Date.now(),
        actor: { id: 'tester', role: 'organizer' },
        subjectType: 'request',
        subjectId: 'x',
        cycleId: null,
        jurisdictionId: null,
        action: 'test.nul',
        detail: { note: '机密\u0000内容' },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: PERMANENT_DB_ERROR, nonRetryable: true });
    expect((failure as Error).message).toMatch(/SQLSTATE 22/);
    expect((failure as Error).message).not.toContain('机密');
  });
});
