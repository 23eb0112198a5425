/**
 * The real stack for one test file: a worker on its own task queue (real activities on the test
 * database unless a test passes fakes), a Temporal client with the codec, and the API served over
 * HTTP on a free port.
 */
import { randomUUID } from 'node:crypto';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { inject } from 'vitest';
import { APP_ROLE, createPool, type Pool } from '../activities/db.js';
import { createApp, type AppDeps } from '../api/app.js';
import { serveOn } from '../api/http-server.js';
import { signToken, type AuthConfig, type Principal } from '../api/auth.js';
import type { RateLimit } from '../api/rate-limit.js';
import { createSealer } from '../activities/sealed.js';
import { createSealedDetailActivities } from '../activities/sealed-details.js';
import { createReviewActivities } from '../activities/reviews.js';
import { createCandidateQueries } from '../api/queries/candidates.js';
import type { z } from 'zod';
import { personalMattersSchema, type verdictSchema } from '../domain/eager/inspection.js';
import { policySchema, type Department } from '../domain/eager/policy.js';
import type { Actor } from '../domain/eager/schemas.js';
import type { CycleWorkflowInput } from '../workflows/contracts/cycle.js';
import { positions } from './scenario.js';
import { AesGcmCodec, parseCodecKeys } from '../temporal/codec.js';
import { connectClient, dataConverter } from '../temporal/connection.js';
import type { Tracing } from '../temporal/tracing.js';
import { createHuanjieWorker } from '../worker/worker.js';
import { apiClient, ok, type ApiClient } from './api/client.js';

type PersonalMattersBody = z.input<typeof personalMattersSchema>;
type VerdictBody = z.input<typeof verdictSchema>;

export const TRUSTED_UI_ORIGIN = 'http://ui.test:8233';
export const AUTH: AuthConfig = {
  secret: 'test-secret-that-is-at-least-32-characters-long',
  issuer: 'huanjie',
  audience: 'huanjie-api',
};

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    /* already installed in this process */
  }
}

export interface Stack {
  taskQueue: string;
  pool: Pool;
  client: Client;
  worker: Worker;
  api: { url: string; server: ServerType };
  token(roles: Principal['roles'], scope: string, sub?: string): Promise<string>;
  /**
   * What the API sends a candidate workflow for a personal-matters body: the details sealed in
   * Postgres first, then only the reference and the classification (for tests that drive workflows
   * with a client).
   */
  sealPersonalMatters(cycleId: string, personId: string, body: unknown): Promise<unknown>;
  /**
   * What the API does with a candidate input's answer before it answers: records the act the
   * candidate left to its sender (for tests that drive workflows with a client and read Postgres).
   */
  recordCandidateAnswer: ReturnType<typeof createReviewActivities>['recordCandidateAnswer'];
  /** Another API instance on the same stack with some dependencies changed (a dead pool, a tight rate limit). */
  serveVariant(deps: Partial<AppDeps>): Promise<{ url: string; close(): Promise<void> }>;
  /**
   * Stops the worker (tasks wait on the server meanwhile); the function it returns starts a new one on the
   * same task queue, its cache empty — so what arrived meanwhile reaches the workflow in one task.
   */
  pauseWorker(): Promise<() => Promise<void>>;
  /**
   * The typed client (test/api/client.ts) acting with `token`: requests and answers typed from the
   * routes, every answer checked against its route's response schema. API tests use this.
   */
  as(token?: string, headers?: Record<string, string>): ApiClient;
  /**
   * A raw request with a bearer token (`body` sent as JSON, or as is when a string), answer unchecked.
   * Only for what the typed client cannot send: malformed or hostile bodies and headers the types
   * forbid, and routes taken from /openapi.json by path; the console's tests use it too.
   */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startStack(
  opts: {
    activities?: WorkerOptions['activities'];
    bodyLimitBytes?: number;
    rateLimit?: RateLimit;
    maxCachedWorkflows?: number;
    /** Trace API → workflow → activities; the worker then bundles the workflows itself (with the interceptors). */
    tracing?: Tracing;
  } = {},
): Promise<Stack> {
  quietRuntime();
  const codecKeys = parseCodecKeys(inject('codecKeys'));
  const address = inject('temporalAddress');
  const namespace = inject('namespace');
  const taskQueue = `test-${randomUUID()}`;
  // The application's own role, as in production: tests prove it has every privilege it needs and no more.
  const pool = createPool(inject('databaseUrl'), { max: 5, role: APP_ROLE });
  const connection = await NativeConnection.connect({ address });
  const client = await connectClient({ address, namespace, codecKeys, tracing: opts.tracing !== undefined });
  const newWorker = () =>
    createHuanjieWorker({
      connection,
      namespace,
      taskQueue,
      pool,
      codecKeys,
      temporal: client,
      ...(opts.tracing ? { tracing: opts.tracing } : { workflowBundlePath: inject('workflowBundlePath') }),
      ...(opts.activities ? { activities: opts.activities } : {}),
      ...(opts.maxCachedWorkflows !== undefined ? { tuning: { maxCachedWorkflows: opts.maxCachedWorkflows } } : {}),
    });
  let worker = await newWorker();
  let running = worker.run();
  const app = createApp({
    temporal: client,
    pool,
    taskQueue,
    auth: AUTH,
    codecKeys,
    codec: new AesGcmCodec(codecKeys),
    codecTrustedOrigins: [TRUSTED_UI_ORIGIN],
    ...(opts.tracing ? { tracer: opts.tracing.tracer } : {}),
    ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
  });
  const { server, url } = await serveOn(app.fetch);

  const token = (roles: Principal['roles'], scope: string, sub = 'tester') => signToken(AUTH, { sub, roles, scope });
  const serveVariant = async (deps: Partial<AppDeps>) => {
    const variant = createApp({ temporal: client, pool, taskQueue, auth: AUTH, codecKeys, ...deps });
    const { server: s2, url: u2 } = await serveOn(variant.fetch);
    return { url: u2, close: () => new Promise<void>((r) => s2.close(() => r())) };
  };
  const sealed = createSealedDetailActivities({ pool, sealer: createSealer(codecKeys) });
  const reviews = createReviewActivities({ pool });
  const sealPersonalMatters = async (cycleId: string, personId: string, body: unknown) =>
    sealed.sealPersonalMatters(
      cycleId,
      personId,
      randomUUID(),
      personalMattersSchema.parse(body),
      // As the API does: the rules recorded with the candidate's start (no workflow query).
      await eventually(() => createCandidateQueries(pool).personalMattersRules(cycleId, personId)),
      'test',
    );
  return {
    taskQueue,
    pool,
    client,
    get worker() {
      return worker;
    },
    api: { url, server },
    token,
    sealPersonalMatters,
    recordCandidateAnswer: (answer) => reviews.recordCandidateAnswer(answer),
    serveVariant,
    async pauseWorker() {
      worker.shutdown();
      await running;
      return async () => {
        worker = await newWorker();
        running = worker.run();
      };
    },
    as: (token, headers) => apiClient(url, token, headers),
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body, headers: res.headers };
    },
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      worker.shutdown();
      await running;
      await client.connection.close();
      await connection.close();
      await pool.end();
    },
  };
}

/** The sample tree, loaded straight through the activity (the API route has its own test). */
export async function loadSampleTree(pool: Pool) {
  const { readFileSync } = await import('node:fs');
  const { jurisdictions } = JSON.parse(readFileSync(new URL('../db/seeds/shenzhen.json', import.meta.url), 'utf8'));
  await provisionTree(pool, jurisdictions);
}

/** Loads rows as the operator does (roots included: no HTTP caller may create a root). */
export async function provisionTree(
  pool: Pool,
  rows: { id: string; name: string; level: string; parentId: string | null }[],
) {
  const { createJurisdictionActivities } = await import('../activities/jurisdictions.js');
  await createJurisdictionActivities({ pool }).upsertJurisdictions(
    rows as Parameters<ReturnType<typeof createJurisdictionActivities>['upsertJurisdictions']>[0],
    { id: 'test', role: 'operator' },
    `seed:${randomUUID()}`,
    'operator',
  );
}

/** Polls until `fn` returns a truthy value (workflows move on their own; tests wait, never sleep blindly). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * With RECORD_HISTORIES=1 (npm run record:histories), writes a finished workflow's history to
 * test/fixtures/histories/ for the replay test. It records nothing otherwise.
 */
export async function recordHistory(client: Client, workflowId: string, fixture: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const { historyToJSON } = await import('@temporalio/common/lib/proto-utils.js');
  const { writeFileSync } = await import('node:fs');
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = new URL(`./fixtures/histories/${fixture}.json`, import.meta.url);
  writeFileSync(file, `{"workflowId":${JSON.stringify(workflowId)},"history":${historyToJSON(history)}}\n`);
}

/**
 * Takes a candidate through a whole inspection over HTTP, as the people would: the team records the
 * checklist and personal matters, every department answers from its own token, the team closes the
 * dossier. `skip` leaves departments silent; `matters` and `verdicts` change what is found. Answers
 * the candidate's state after the last input.
 */
export async function inspectViaApi(
  stack: Stack,
  cycleId: string,
  personId: string,
  o: {
    scope?: string;
    matters?: PersonalMattersBody;
    verdicts?: Partial<Record<Department, Omit<VerdictBody, 'department'>>>;
    skip?: readonly string[];
    close?: boolean;
    /** The cycle's joint-review departments, when its policy configures others than the default. */
    departments?: readonly Department[];
  } = {},
) {
  const { fullChecklist, consistentMatters, DEPARTMENTS, clear } = await import('./scenario.js');
  const scope = o.scope ?? '440300';
  const organizer = stack.as(await stack.token(['organizer'], scope, 'inspection-team'));
  const param = { cycleId, personId };
  const candidate = (api: ApiClient) => api.v1.cycles[':cycleId'].candidates[':personId'];
  await eventually(async () => (await candidate(organizer).$get({ param })).status === 200);
  const inspection = candidate(organizer).inspection.$post({ param, json: fullChecklist, header: {} });
  await ok(inspection, 200, `inspection for ${personId}`);
  let last = await ok(
    candidate(organizer)['personal-matters'].$post({ param, json: o.matters ?? consistentMatters, header: {} }),
    200,
    `personal matters for ${personId}`,
  );
  for (const d of o.departments ?? DEPARTMENTS) {
    if (o.skip?.includes(d) || last.status !== 'inspecting') continue;
    const reviewer = stack.as(await stack.token([`reviewer:${d}`], scope, `reviewer-${d}`));
    last = await ok(
      candidate(reviewer).verdicts.$post({
        param,
        json: { department: d, ...(o.verdicts?.[d] ?? clear(d)) },
        header: {},
      }),
      200,
      `verdict ${d} for ${personId}`,
    );
  }
  if (o.close === false || last.status !== 'inspecting') return last;
  return ok(
    candidate(organizer).dossier.$post({ param, json: { result: 'passed' }, header: {} }),
    200,
    `dossier for ${personId}`,
  );
}

/**
 * Starts the scenario's cycle (test/scenario.ts: 区委书记 ×1, 副区长 ×2) in `jurisdictionId` for
 * `term` and takes it over HTTP to decision as its organizer would: launch, analysis, both rounds,
 * and the nine candidates inspected and passed. Answers the cycle's id.
 */
export async function cycleAtDecision(
  stack: Stack,
  organizer: ApiClient,
  jurisdictionId: string,
  term: string,
): Promise<string> {
  const S = await import('./scenario.js');
  const cycleId = `${jurisdictionId}:${term}`;
  const param = { cycleId };
  const header = {};
  const c = organizer.v1.cycles[':cycleId'];
  const at = (stage: string) => eventually(async () => (await ok(c.$get({ param }))).stage === stage);
  await ok(organizer.v1.cycles.$post({ json: S.startBody(jurisdictionId, term) }), 201, `start ${cycleId}`);
  await ok(c.launch.$post({ param, json: S.launch, header }), 200, 'launch');
  await at('analysis');
  await ok(c.analysis.$post({ param, json: S.analysis, header }), 200, 'analysis');
  await at('recommendation');
  await ok(c['recommendation-rounds'].$post({ param, json: S.cadreMeeting, header }), 200, 'round 1');
  await ok(c['recommendation-rounds'].$post({ param, json: S.fullCommittee, header }), 200, 'round 2');
  await at('inspection');
  for (const person of ['s1', 's2', 's3', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'])
    await inspectViaApi(stack, cycleId, person);
  await at('decision');
  return cycleId;
}

/**
 * A cycle workflow's start input, for tests that start the workflow itself (not through the API): a
 * district of 深圳市 with the scenario's positions and committees, on a working day of an hour.
 */
export function cycleWorkflowInput(
  cycleId: string,
  jurisdiction: { id: string; name: string },
  startedBy: Actor,
): CycleWorkflowInput {
  return {
    cycleId,
    jurisdiction: { ...jurisdiction, level: 'county', parentId: '440300' },
    term: cycleId.slice(cycleId.indexOf(':') + 1),
    positions,
    committees: { standing: 11, full: 31 },
    policy: policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } }),
    startedBy,
  };
}

/** Replays `histories` on one replay worker with the tests' bundle; each failure as `workflowId: error`. */
export async function replayFailures(
  histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[],
): Promise<string[]> {
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories(
    {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: dataConverter(parseCodecKeys(inject('codecKeys'))),
      // Sinks are not called on replay, but a workflow that names one needs it registered.
      sinks: { projection: { write: { fn: () => undefined } } },
    },
    histories,
  ))
    if (r.error) failures.push(`${r.workflowId}: ${String(r.error).slice(0, 300)}`);
  return failures;
}
