/**
 * Bench measurement 5: the same throughput measurement as 1 (full cycles through the API, and a
 * trivial one-activity workflow), on the production shape — Temporal 1.29.1 as separate services on
 * PostgreSQL with 8 history shards, two Huanjie workers, two API replicas (scripts/cluster.ts) —
 * so the two columns of the README's table come from one run on one machine.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { signToken } from '../api/auth.js';
import { pingWorkflowId } from '../domain/ids.js';
import { DEFAULT_DEPARTMENTS } from '../domain/policy.js';
import { startCluster } from '../scripts/cluster.js';
import { benchDistrict } from './util.js';
import { withDatabase } from '../scripts/postgres.js';
import { createSimulator } from '../scripts/simulator.js';
import { mintTemporalToken } from '../temporal/auth.js';
import { parseCodecKeys } from '../temporal/codec.js';
import { dataConverter } from '../temporal/connection.js';
import { pingWorkflow } from '../workflows/ping.js';

export interface ClusterThroughput {
  historyShards: number;
  workers: number;
  cyclesPerSecond: number;
  trivialWorkflowsPerSecond: number;
  ratioTrivialToCycle: number;
  startSeconds: number;
}

export async function measureClusterThroughput(o: {
  cycles: number;
  /** The body of POST /v1/cycles for one jurisdiction, as measurement 1 sends it. */
  cycleBody: (jurisdictionId: string) => Record<string, unknown>;
  /** The jurisdiction tree measurement 1 uses. */
  tree: Record<string, unknown>[];
  /** Concurrent loops: `loops(total, clients, one)` → latencies and wall time, as in run.ts. */
  load: (total: number, clients: number, one: (i: number) => Promise<void>) => Promise<{ wall: number }>;
  log: (line: string) => void;
  /** The simulator's joint-review departments answer one after another (as in measurement 1). */
  departmentsInTurn: boolean;
}): Promise<ClusterThroughput> {
  const dataDir = mkdtempSync(join(tmpdir(), 'huanjie-bench-cluster-'));
  const prefix = `huanjie_bc_${randomUUID().slice(0, 8)}`;
  const historyShards = 8;
  // The bench is one caller sending many requests: the per-user limit of a replica would throttle it.
  const saved = { perMinute: process.env.RATE_LIMIT_PER_MINUTE, burst: process.env.RATE_LIMIT_BURST };
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  process.env.RATE_LIMIT_BURST = '1000000';
  const t0 = performance.now();
  const cluster = await startCluster({
    portBase: Number(process.env.BENCH_CLUSTER_PORT_BASE ?? 27400),
    dataDir,
    databasePrefix: prefix,
    databaseUrl: process.env.DATABASE_URL,
    namespace: 'default',
    taskQueue: 'huanjie',
    historyShards,
    // The bench's cycles run on a compressed calendar, which a deployment's API refuses unless told.
    apiEnv: { COMPRESSED_CALENDARS: '1' },
    log: (l) => {
      if (process.env.BENCH_VERBOSE === '1') o.log(`   [cluster] ${l}`);
    },
  }).finally(() => {
    for (const [k, v] of [
      ['RATE_LIMIT_PER_MINUTE', saved.perMinute],
      ['RATE_LIMIT_BURST', saved.burst],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  const startSeconds = (performance.now() - t0) / 1000;
  let conn: Connection | undefined;
  try {
    const auth = { secret: cluster.jwtSecret, issuer: 'huanjie', audience: 'huanjie-api' };
    const organizer = await signToken(auth, {
      sub: 'bench',
      roles: ['organizer'],
      scope: '440000',
      rootAuthority: true,
    });
    const reviewer = await signToken(auth, {
      sub: 'bench-reviewer',
      roles: DEFAULT_DEPARTMENTS.map((d) => `reviewer:${d}` as const),
      scope: '440000',
    });
    // Inputs through replica A, as measurement 1 sends them through its one API.
    const simulator = createSimulator({
      baseUrl: cluster.apiUrls[0],
      organizerToken: organizer,
      reviewerToken: reviewer,
      patienceMs: 600_000,
      departmentsInTurn: o.departmentsInTurn,
    });
    const put = await simulator.call('PUT', '/v1/jurisdictions', organizer, { jurisdictions: o.tree });
    if (put.status !== 200) throw new Error(`cluster tree: ${put.status} ${JSON.stringify(put.body)}`);

    o.log(`5. on the cluster (${historyShards} shards, 2 workers): ${o.cycles} full cycles, 3 at a time`);
    const ids: string[] = [];
    for (let i = 0; i < o.cycles; i++) {
      const jurisdictionId = benchDistrict(i);
      const res = await simulator.call('POST', '/v1/cycles', organizer, o.cycleBody(jurisdictionId));
      if (res.status !== 201)
        throw new Error(`cluster start ${jurisdictionId}: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(`${jurisdictionId}:2026`);
    }
    const cycles = await o.load(ids.length, 3, (i) => simulator.driveCycle(ids[i]!).then(() => undefined));

    o.log('   trivial one-activity workflow ×300, 30 at a time, on the cluster');
    const writer = await mintTemporalToken(cluster.signingKey, {
      subject: 'bench',
      permissions: [`${cluster.namespace}:write`],
      ttlSeconds: 3600,
    });
    conn = await Connection.connect({ address: cluster.frontend, apiKey: writer, tls: false });
    const client = new Client({
      connection: conn,
      namespace: cluster.namespace,
      dataConverter: dataConverter(parseCodecKeys(cluster.codecKeys)),
    });
    const pings = await o.load(300, 30, (i) =>
      client.workflow
        .execute(pingWorkflow, {
          workflowId: pingWorkflowId(`bench-cluster-${i}-${Date.now()}`),
          taskQueue: cluster.taskQueue,
          args: ['b'],
        })
        .then(() => undefined),
    );
    const cyclesPerSecond = o.cycles / (cycles.wall / 1000);
    const trivialWorkflowsPerSecond = 300 / (pings.wall / 1000);
    return {
      historyShards,
      workers: 2,
      cyclesPerSecond: Math.round(cyclesPerSecond * 1000) / 1000,
      trivialWorkflowsPerSecond: Math.round(trivialWorkflowsPerSecond * 10) / 10,
      ratioTrivialToCycle: Math.round(trivialWorkflowsPerSecond / cyclesPerSecond),
      startSeconds: Math.round(startSeconds),
    };
  } finally {
    await conn?.close();
    await cluster.stop();
    const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
    await admin.connect();
    for (const db of [prefix, `${prefix}_temporal`, `${prefix}_temporal_visibility`])
      await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
