/**
 * Intake is one durable step. An API process is killed between the database write of a report or a
 * high risk and its workflow start (test/api/crashing-api.ts dies at the start); after recovery —
 * the worker's starter sweeping, or a repeat of the same report arriving — the report has its
 * workflow and the high risk holds its cycle's gate. A repeated channelRef still links, not doubles.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WorkflowNotFoundError } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { createWorkflowStarter } from '../../activities/outbox.js';
import { reportWorkflowId, riskWorkflowId } from '../../domain/ids.js';
import type * as R from '../../domain/eager/reports.js';
import type { riskSchema } from '../../domain/eager/supervision.js';
import { AUTH, eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { apiClient, expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: string;
let intake: string;
const CYCLE_ID = '440311:2072';
const param = { cycleId: CYCLE_ID };

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '深圳市委组织部');
  intake = await stack.token(['intake'], '440300', '12380受理员');
  const started = stack.as(organizer).v1.cycles.$post({
    json: S.startBody('440311', '2072', { calendar: { kind: 'compressed', secondsPerWorkingDay: 60 } }),
  });
  expect((await read(started)).status).toBe(201);
});
afterAll(() => stack?.stop());

const cycleState = () => ok(stack.as(organizer).v1.cycles[':cycleId'].$get({ param }));

/** Starts the crashing API, sends it `send` with `token`, and waits until the process has died of it. */
async function crashOn(
  token: string,
  send: (api: ApiClient) => Promise<{ status: number }>,
): Promise<{ signal: string | null }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./crashing-api.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        CODEC_KEYS: inject('codecKeys'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        NAMESPACE: inject('namespace'),
        DATABASE_URL: inject('databaseUrl'),
        TASK_QUEUE: stack.taskQueue,
        JWT_SECRET: AUTH.secret,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<{ signal: string | null }>((r) => child.once('exit', (_code, signal) => r({ signal })));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', () => reject(new Error('crashing-api exited before listening')));
    createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /^listening (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
  });
  const answer = await send(apiClient(`http://127.0.0.1:${port}`, token)).then(
    (r) => `answered ${r.status}`,
    () => 'no answer',
  );
  expect(answer).toBe('no answer');
  return exited;
}

const exists = (workflowId: string) =>
  stack.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      (e) => {
        if (e instanceof WorkflowNotFoundError) return false;
        throw e;
      },
    );

const reportBody: z.input<typeof R.intakeSchema> = {
  channel: 'letter',
  channelRef: 'crash-letter-0001',
  category: 'voteBuying',
  target: { type: 'jurisdiction', jurisdictionId: '440311' },
  text: '反映有人在推荐前宴请代表',
  receivedAt: new Date().toISOString(),
};
const riskBody: z.input<typeof riskSchema> = {
  jurisdictionId: '440311',
  cycleId: CYCLE_ID,
  stage: 'decision',
  category: 'petitions',
  level: 'high',
  description: '征地补偿矛盾可能在讨论决定期间激化',
  measures: ['逐户走访'],
  owner: '街道党工委',
  deadlineWorkingDays: 10,
};

describe('a crash between intake and its workflow start loses nothing', () => {
  let reportId: string;
  let riskId: string;

  it('the killed API had committed the report and the high risk, and started no workflow', async () => {
    const header = {};
    expect(await crashOn(intake, (api) => api.v1.reports.$post({ json: reportBody, header }))).toEqual({
      signal: 'SIGKILL',
    });
    expect(await crashOn(organizer, (api) => api.v1.risks.$post({ json: riskBody, header }))).toEqual({
      signal: 'SIGKILL',
    });

    const report = await stack.pool.query(`SELECT id, status FROM reports WHERE channel_ref = $1`, [
      reportBody.channelRef,
    ]);
    expect(report.rows).toEqual([{ id: expect.stringMatching(/^R-/), status: 'registered' }]);
    reportId = report.rows[0].id;
    const risk = await stack.pool.query(`SELECT id FROM risks WHERE cycle_id = $1 AND level = 'high'`, [CYCLE_ID]);
    expect(risk.rows).toHaveLength(1);
    riskId = risk.rows[0].id;

    expect(await exists(reportWorkflowId(reportId))).toBe(false);
    expect(await exists(riskWorkflowId(riskId))).toBe(false);
    const cycle = await cycleState();
    expect(cycle.holds.map((h) => h.name)).not.toContain(`risk-${riskId}`);
  });

  it("a repeat of the report links to the first and starts the first's workflow; the starter starts the risk's, which holds its gate", async () => {
    const repeat = await read(stack.as(intake).v1.reports.$post({ json: reportBody, header: {} }));
    expect(repeat).toMatchObject({ status: 200, body: { reportId, duplicateOf: reportId, workflow: 'running' } });
    expect(await exists(reportWorkflowId(reportId))).toBe(true);

    // What the worker's starter does on its restart and every sweep after.
    const starter = createWorkflowStarter({ pool: stack.pool, temporal: stack.client });
    const swept = await starter.sweep({ taskQueue: stack.taskQueue, olderThanMs: 0 });
    expect(swept).toEqual({ started: [riskWorkflowId(riskId)], failed: [] });

    const held = await eventually(async () => {
      const s = await cycleState();
      return s.holds?.find((h) => h.name === `risk-${riskId}`);
    });
    expect(held).toMatchObject({ source: 'risk', stage: 'decision' });
    const triaged = await eventually(async () => {
      const { rows } = await stack.pool.query(`SELECT status, triage FROM reports WHERE id = $1`, [reportId]);
      return rows[0]?.status === 'verifying' && rows[0];
    });
    expect(triaged.triage).toBeTruthy();

    // Nothing is left to start, and a second sweep starts nothing twice.
    expect(await starter.sweep({ taskQueue: stack.taskQueue, olderThanMs: 0 })).toEqual({ started: [], failed: [] });
  });

  it('a further repeat still links, and the report is one row with its repeats counted', async () => {
    const again = await read(stack.as(intake).v1.reports.$post({ json: reportBody, header: {} }));
    expect(again).toMatchObject({ status: 200, body: { reportId, duplicateOf: reportId, workflow: 'running' } });
    const { rows } = await stack.pool.query(`SELECT id, duplicates FROM reports WHERE channel_ref = $1`, [
      reportBody.channelRef,
    ]);
    expect(rows).toEqual([{ id: reportId, duplicates: 2 }]);
  });

  it('an intake that is not interrupted starts its workflow at once', async () => {
    const fresh = await read(
      stack.as(intake).v1.reports.$post({ json: { ...reportBody, channelRef: 'crash-letter-0002' }, header: {} }),
    );
    expect(fresh).toMatchObject({ status: 201, body: { workflow: 'running' } });
    expectStatus(fresh, 201);
    expect(await exists(reportWorkflowId(fresh.body.reportId))).toBe(true);
    const { rows } = await stack.pool.query(`SELECT started_at FROM workflow_starts WHERE workflow_id = $1`, [
      reportWorkflowId(fresh.body.reportId),
    ]);
    expect(rows[0].started_at).toBeInstanceOf(Date);
  });
});
