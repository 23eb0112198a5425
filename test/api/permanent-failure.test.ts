/**
 * An activity that fails permanently is not retried forever, and the workflow is told: a report
 * whose closing cannot be written answers the finding with an error at once, stays open (never
 * claims closed), and takes a finding again once the database accepts it.
 */
import type { Client } from '@temporalio/client';
import * as S from '../scenario.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, APP_ROLE, type Pool } from '../../activities/db.js';
import { withPermanentFailures } from '../../activities/permanent.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient } from '../../temporal/connection.js';
import { createActivities } from '../../worker/activities.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { errorOf, expectStatus, ok, read } from './client.js';

let stack: Stack;
let pool: Pool;
let client: Client;
let failing = true;
let attempts = 0;
beforeAll(async () => {
  const codecKeys = parseCodecKeys(inject('codecKeys'));
  pool = createPool(inject('databaseUrl'), { max: 3, role: APP_ROLE });
  client = await connectClient({ address: inject('temporalAddress'), namespace: inject('namespace'), codecKeys });
  const real = createActivities({ pool, codecKeys, temporal: client, taskQueue: 'unused' });
  // The closing write fails as a CHECK violation would, until the test lets it through.
  const closeReport: typeof real.closeReport = async (...args) => {
    attempts++;
    if (failing) throw Object.assign(new Error('new row violates check constraint'), { code: '23514' });
    return real.closeReport(...args);
  };
  stack = await startStack({ activities: { ...real, ...withPermanentFailures({ closeReport }) } });
  await loadSampleTree(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
  await client?.connection.close();
  await pool?.end();
});

describe('a permanent failure in a report’s activity', () => {
  it('fails the finding at once, leaves the report open in the workflow and in Postgres, and a later finding closes it', async () => {
    const intake = stack.as(await stack.token(['intake'], '440300', '受理员'));
    const investigator = stack.as(await stack.token(['investigator'], '440300', '查核组'));
    const created = await read(
      intake.v1.reports.$post({
        json: S.phoneReport('440306'),
        header: {},
      }),
    );
    expectStatus(created, 201);
    const param = { reportId: created.body.reportId };
    const live = () => ok(intake.v1.reports[':reportId'].$get({ param }));
    await eventually(async () => (await live()).triage);
    const finding = () =>
      read(
        investigator.v1.reports[':reportId'].findings.$post({
          param,
          json: { finding: 'unsubstantiated', summary: '经核查不属实' },
          header: {},
        }),
      );
    const first = await finding();
    // A 500 is no route's documented answer; every route may give it, in the one error body.
    expect(first.status).toBe(500);
    expect(errorOf(first)?.code).toBe('PERMANENT_DB_ERROR');
    expect(attempts).toBe(1);
    const after = await live();
    expect(after.status).toBe('verifying');
    expect(after.finding ?? undefined).toBeUndefined();
    const { rows } = await stack.pool.query('SELECT status FROM reports WHERE id = $1', [param.reportId]);
    expect(rows[0].status).not.toBe('closed');

    failing = false;
    const second = await finding();
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect((await live()).status).toBe('closed');
  });
});
