/**
 * The production shape, started from scratch (`npm run test:cluster`): Temporal 1.29.1 as separate
 * service processes on PostgreSQL with 8 history shards and JWT authorization, two Huanjie workers,
 * two API replicas. Proves that Huanjie works there, that only Huanjie may write, that a crashed
 * history service or worker loses and doubles nothing, and that operators can list what is late.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Connection, Client } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../activities/audit.js';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { startCluster, type Cluster } from '../../scripts/cluster.js';
import { withDatabase } from '../../scripts/postgres.js';
import { mintTemporalToken } from '../../temporal/auth.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient, dataConverter } from '../../temporal/connection.js';
import { eventually, loadSampleTree } from '../helpers.js';
import * as S from '../scenario.js';
import { actionCounts, call, driveCycle, post, token, until, type Api } from './drive.js';

let cluster: Cluster;
let pool: Pool;
let A: Api;
let B: Api;
let dataDir: string;
const prefix = `huanjie_ct_${randomUUID().slice(0, 8)}`;
const log = (l: string) => {
  if (process.env.CLUSTER_TEST_VERBOSE === '1') console.log(`[cluster] ${l}`);
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'huanjie-cluster-test-'));
  cluster = await startCluster({
    portBase: Number(process.env.CLUSTER_TEST_PORT_BASE ?? 17400),
    dataDir,
    databasePrefix: prefix,
    databaseUrl: process.env.DATABASE_URL,
    namespace: 'default',
    taskQueue: 'huanjie',
    historyShards: 8,
    // Its cycles run on a compressed calendar, which a deployment's API refuses unless told.
    apiEnv: { COMPRESSED_CALENDARS: '1' },
    log,
  });
  A = { url: cluster.apiUrls[0], secret: cluster.jwtSecret };
  B = { url: cluster.apiUrls[1], secret: cluster.jwtSecret };
  pool = createPool(cluster.databaseUrl, { max: 3, role: APP_ROLE });
  await loadSampleTree(pool);
});

afterAll(async () => {
  await pool?.end();
  await cluster?.stop();
  {
    // The run's own databases go, even when the start failed; nothing of it stays behind.
    const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
    await admin.connect();
    for (const db of [prefix, `${prefix}_temporal`, `${prefix}_temporal_visibility`])
      await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.end();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let reference: Record<string, number>;

/** The server's answer to a caller without the right token: gRPC PERMISSION_DENIED (7), however the SDK wraps it. */
const denied = async (attempt: Promise<unknown>) => {
  const e = (await attempt.then(
    () => undefined,
    (err: unknown) => err,
  )) as { code?: number; cause?: { code?: number }; message?: string } | undefined;
  expect(e, 'the call was accepted').toBeDefined();
  expect(e!.code === 7 || e!.cause?.code === 7 || /PERMISSION_DENIED/.test(e!.message ?? ''), String(e)).toBe(true);
};

describe('a cycle on the cluster', () => {
  it('is driven end to end through API replica A while every read goes to replica B', async () => {
    const closed = await driveCycle(A, B, '440306', '2026');
    expect(closed).toMatchObject({ stage: 'closed', status: 'closed' });
    expect(closed.results.map((r: { elected: { personId: string }[] }) => r.elected.map((e) => e.personId))).toEqual([
      ['s1'],
      ['d1', 'd2'],
    ]);
    reference = await actionCounts(B, '440306:2026');
    expect(reference['cycle.started']).toBe(1);

    // What operators scrape: the SDK's metrics from a worker, request metrics from an API replica.
    const workerMetrics = await (await fetch(cluster.workerMetricsUrls[0])).text();
    expect(workerMetrics).toMatch(/temporal_workflow_task_schedule_to_start_latency_seconds_bucket/);
    expect(workerMetrics).toMatch(/temporal_activity_execution_latency_seconds_bucket/);
    const apiMetrics = await (await fetch(`${A.url}/metrics`)).text();
    expect(apiMetrics).toMatch(/huanjie_http_requests_total\{[^}]*route="\/v1\/cycles\/:cycleId\/launch"/);
  });
});

describe('the side door', () => {
  it('refuses a direct update and signal from a plain Temporal client without Huanjie’s token, and nothing reaches the record', async () => {
    const organizer = await token(A, ['organizer'], '440300');
    await post(A, '/v1/cycles', S.startBody('440307', '2026'), organizer, 'side-door-start');
    await post(A, '/v1/cycles/440307:2026/launch', S.launch, organizer, 'side-door-launch');
    // Supervision opens its launch checkpoint on its own time: counted once it is on the record.
    await eventually(async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = '440307:2026' AND action = 'checkpoint.opened'`,
      );
      return rows[0].n === 1;
    });
    const before = await pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = '440307:2026'`);

    // Anyone who reaches the frontend, with the right codec even: no token, no access.
    const plain = await connectClient({
      address: cluster.frontend,
      namespace: cluster.namespace,
      codecKeys: parseCodecKeys(cluster.codecKeys),
    });
    const handle = plain.workflow.getHandle('cycle:440307:2026');
    const forged: [unknown, unknown] = [
      { name: 'forged', reason: '伪造的部长', source: 'manual' },
      { id: '伪造的部长', role: 'organizer' },
    ];
    await denied(handle.executeUpdate('addHold', { args: forged }));
    await denied(handle.signal('calendarYear', { year: 2027, workingDays: [] }));
    await denied(handle.terminate('伪造'));
    await denied(handle.describe());
    await plain.connection.close();

    // A token signed by another key (a forged one) is refused too; a reader may read but not write.
    const { generateTemporalAuthKey, parseTemporalAuthKey } = await import('../../temporal/auth.js');
    const otherKey = await parseTemporalAuthKey(await generateTemporalAuthKey(cluster.signingKey.kid));
    const forgedToken = await mintTemporalToken(otherKey, {
      subject: 'x',
      permissions: ['default:admin'],
      ttlSeconds: 300,
    });
    // Refused at the first call (the connection's own), before any workflow is named.
    await denied(Connection.connect({ address: cluster.frontend, apiKey: forgedToken, tls: false }));
    const readerToken = await mintTemporalToken(cluster.signingKey, {
      subject: 'operator',
      permissions: ['default:read'],
      ttlSeconds: 300,
    });
    const readerConn = await Connection.connect({ address: cluster.frontend, apiKey: readerToken, tls: false });
    const readerClient = new Client({
      connection: readerConn,
      namespace: 'default',
      dataConverter: dataConverter(parseCodecKeys(cluster.codecKeys)),
    });
    expect((await readerClient.workflow.getHandle('cycle:440307:2026').describe()).status.name).toBe('RUNNING');
    await denied(readerClient.workflow.getHandle('cycle:440307:2026').executeUpdate('addHold', { args: forged }));
    await readerConn.close();

    const after = await pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = '440307:2026'`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const forgedRows = await pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE actor LIKE '%伪造%'`);
    expect(forgedRows.rows[0].n).toBe(0);
    const r = await call(B, 'GET', '/v1/cycles/440307:2026', { token: organizer });
    expect(r.body.holds ?? []).toEqual([]);
  });
});

describe('failover', () => {
  it('kills and restarts the history service mid-inspection and kills a worker: every cycle closes, no act lost or doubled', async () => {
    const ids = ['440304', '440305', '440308'];
    let broken = false;
    const breakThings = async () => {
      if (broken) return;
      broken = true;
      await cluster.services.get('history')!.kill();
      await cluster.workers[0]!.kill();
      // The history service comes back (a supervisor would restart it); the worker stays dead.
      await new Promise((r) => setTimeout(r, 3000));
      cluster.startService('history');
    };
    // Three cycles at once; the first to reach inspection breaks the cluster under all of them.
    const closed = await Promise.all(ids.map((j) => driveCycle(A, B, j, '2026', breakThings)));
    expect(broken).toBe(true);
    for (const c of closed) expect(c.status).toBe('closed');
    // A closed cycle's supervision may still be writing its last checkpoints (the killed worker's
    // workflows move to the other one after their sticky timeout): wait for the record to settle,
    // then compare — an act lost or doubled never settles on the reference.
    for (const j of ids) {
      const same = async () => {
        const counts = await actionCounts(B, `${j}:2026`);
        const sorted = (o: object) => JSON.stringify(Object.entries(o).sort());
        return sorted(counts) === sorted(reference) && counts;
      };
      await until(`${j}'s record complete`, same, 60_000).catch(() => undefined);
      expect(await actionCounts(B, `${j}:2026`), j).toEqual(reference);
    }
    const chain = await verifyAuditChain(pool);
    expect(chain).toMatchObject({ ok: true });
    // Bring the second worker back for what follows.
    await cluster.startWorker(0);
  });
});

describe('operators find what is late', () => {
  it('HuanjieOverdue = true lists a late review, a late checkpoint and a late report', async () => {
    const organizer = await token(A, ['organizer'], '440300');
    const intake = await token(A, ['intake'], '440300');
    // A cycle in inspection whose departments stay silent (chased at 3, escalated at 5 working days of 0.2 s).
    const cycle = '440309:2026';
    await post(A, '/v1/cycles', S.startBody('440309', '2026'), organizer, 'late-cycle-start');
    // Launch is recorded late on purpose: the launch checkpoint (due 5 working days) is never filed.
    await post(A, `/v1/cycles/${cycle}/launch`, S.launch, organizer, 'late-cycle-launch');
    await until(
      'analysis',
      async () => (await call(B, 'GET', `/v1/cycles/${cycle}`, { token: organizer })).body.stage === 'analysis',
    );
    await post(A, `/v1/cycles/${cycle}/analysis`, S.analysis, organizer, 'late-cycle-analysis');
    await post(A, `/v1/cycles/${cycle}/recommendation-rounds`, S.cadreMeeting, organizer, 'late-cycle-round1');
    await post(A, `/v1/cycles/${cycle}/recommendation-rounds`, S.fullCommittee, organizer, 'late-cycle-round2');
    await until(
      'inspection',
      async () => (await call(B, 'GET', `/v1/cycles/${cycle}`, { token: organizer })).body.stage === 'inspection',
    );
    // A report received weeks ago, still open: overdue at once.
    const report = await post(
      A,
      '/v1/reports',
      {
        channel: 'phone',
        category: 'intercession',
        text: '反映有关问题',
        receivedAt: '2026-09-29T15:00:00+08:00',
        target: { type: 'official', jurisdictionId: '440309', name: '某局长' },
      },
      intake,
      'late-report-0001',
    );

    const admin = await Connection.connect({
      address: cluster.frontend,
      apiKey: await cluster.adminToken(),
      tls: false,
    });
    const client = new Client({ connection: admin, namespace: 'default' });
    try {
      const late = await until(
        'three kinds of late work listed',
        async () => {
          const found: { id: string; type: string }[] = [];
          for await (const w of client.workflow.list({
            query: `HuanjieOverdue = true AND (HuanjieCycle = '${cycle}' OR WorkflowId = 'report:${report.reportId}')`,
          }))
            found.push({ id: w.workflowId, type: w.type });
          const types = new Set(found.map((f) => f.type));
          return (
            types.has('candidateWorkflow') && types.has('supervisionWorkflow') && types.has('reportWorkflow') && found
          );
        },
        120_000,
      );
      expect(late.length).toBeGreaterThanOrEqual(3);
    } finally {
      await admin.close();
    }
  });
});
