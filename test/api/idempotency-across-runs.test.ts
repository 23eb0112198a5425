/**
 * An input retried with its Idempotency-Key is applied once, however late: Temporal takes an update id
 * once per run only, so a retry sent after the cycle continued as new ran the input again (found from
 * outside: a hold raised twice, a cycle suspended again ten minutes later). The answer is kept in
 * PostgreSQL (api/updates.ts). Real server and database, a cycle that continues as new every 30 events,
 * and more inputs after the first than the cycle itself remembers answers for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleStartOptions } from '../../activities/cycle-start.js';
import { policySchema } from '../../domain/eager/policy.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-李明'));
});
afterAll(() => stack?.stop());

describe('an Idempotency-Key across a continue-as-new', () => {
  it('a raise and a release retried after the cycle continued as new answer as they did and apply nothing', async () => {
    const options = cycleStartOptions(
      {
        jurisdiction: { id: '440305', name: '南山区', level: 'county', parentId: '440300' },
        term: '2077',
        positions: S.positions,
        committees: { standing: 11, full: 31 },
        policy: policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 0.2 } }),
        startedBy: { id: '组织部-李明', role: 'organizer' },
      },
      stack.taskQueue,
    );
    // A run ends past 30 events: a few inputs later the cycle is a new run that knows no earlier update id.
    options.args[0].maxHistoryEvents = 30;
    const handle = await stack.client.workflow.start('cycleWorkflow', options);
    const firstRun = handle.firstExecutionRunId;
    const param = { cycleId: '440305:2077' };
    const cycle = organizer.v1.cycles[':cycleId'];
    const raise = {
      param,
      json: { name: 'dup-x', reason: '只此一次' },
      header: { 'idempotency-key': 'dupx-raise-0001' },
    };
    const release = {
      param,
      json: { name: 'dup-x', resolution: '已解除' },
      header: { 'idempotency-key': 'dupx-release-0001' },
    };
    const raised = await ok(cycle.holds.$post(raise));
    expect(raised.holds.map((h) => h.name)).toContain('dup-x');
    const released = await ok(cycle['hold-releases'].$post(release));
    expect(released.holds.map((h) => h.name)).not.toContain('dup-x');
    // Other inputs, each its own key: more than the cycle remembers answers for across a continue-as-new
    // (200, workflows/cycle/entity.ts), which covered a retry until then.
    for (let i = 0; i < 101; i++) {
      const name = `other-${i}`;
      const key = (what: string) => ({ 'idempotency-key': `other-${what}-${String(i).padStart(4, '0')}` });
      await ok(cycle.holds.$post({ param, json: { name, reason: '其他' }, header: key('raise') }));
      await ok(cycle['hold-releases'].$post({ param, json: { name, resolution: '已解除' }, header: key('release') }));
    }
    const now = await stack.client.workflow.getHandle(cycleWorkflowId(param.cycleId)).describe();
    expect(now.runId, 'the cycle continued as new').not.toBe(firstRun);
    // The raise retried: 200, and the hold is not raised again.
    const again: any = await read(cycle.holds.$post(raise));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.holds.map((h: { name: string }) => h.name)).not.toContain('dup-x');
    expect(again.body.version).toBeGreaterThanOrEqual(raised.version);
    // The release retried: 200 as the first time, not 409 for a hold that is not open.
    const releasedAgain: any = await read(cycle['hold-releases'].$post(release));
    expect(releasedAgain.status, JSON.stringify(releasedAgain.body)).toBe(200);
    const { rows } = await stack.pool.query(
      `SELECT action FROM audit_events WHERE cycle_id = $1 AND detail->'input'->>'name' = 'dup-x' ORDER BY id`,
      [param.cycleId],
    );
    expect(rows.map((r) => r.action)).toEqual(['hold.added', 'hold.released']);
    await handle.terminate('test done');
  });
});
