/**
 * The HTTP API: thin by design. It authenticates, checks role and scope, validates, then calls
 * Temporal (start, update, query) or reads Postgres. `createApp` builds it from its dependencies;
 * only server.ts listens on a port.
 */
import { prometheus } from '@hono/prometheus';
import { Counter, Registry } from 'prom-client';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { createJurisdictionActivities } from '../activities/jurisdictions.js';
import { createLedgerActivities } from '../activities/ledger.js';
import { createWorkflowStarter } from '../activities/outbox.js';
import { createRecordActivities } from '../activities/record.js';
import { createReportActivities } from '../activities/reports.js';
import { createReviewActivities } from '../activities/reviews.js';
import { createSealer } from '../activities/sealed.js';
import { createSealedDetailActivities } from '../activities/sealed-details.js';
import { createSupervisionActivities } from '../activities/supervision.js';
import { bodyShapeProblem, textIssues, textRuleBroken } from '../domain/text.js';
import { authenticate } from './auth.js';
import { codecRoutes } from './codec.js';
import { consoleRoutes } from './console/index.js';
import { offlineDocs } from './docs-offline.js';
import { rateLimit } from './rate-limit.js';
import type { AppDeps, App, Env, Services } from './context.js';
import { ApiError, ErrorCode, OUTAGE_RETRY_AFTER_SECONDS, errorResponse } from './errors.js';
import { createReadModel } from './read-model.js';
import { answerFor, requestClock } from './request-clock.js';
import { campaignRouter } from './routes/campaigns/campaigns.index.js';
import { candidateRouter } from './routes/candidates/candidates.index.js';
import { cycleRouter } from './routes/cycles/cycles.index.js';
import { jurisdictionRouter } from './routes/jurisdictions/jurisdictions.index.js';
import { reportRouter } from './routes/reports/reports.index.js';
import { reviewRouter } from './routes/reviews/reviews.index.js';
import { supervisionRouter } from './routes/supervision/supervision.index.js';
import { systemRouter } from './routes/system/system.index.js';
import { createRouter } from './create-router.js';
import { withAnswersEveryRouteMayGive } from './openapi.js';

export type { AppDeps };

/** How long a request's Temporal calls may take in all (AppDeps.temporalDeadlineMs). */
export const DEFAULT_TEMPORAL_DEADLINE_MS = 30_000;

export function createApp(deps: AppDeps) {
  const sealer = createSealer(deps.codecKeys);
  // A registry per app, so several apps in one process (tests) do not collide.
  const registry = new Registry();
  // Reads that found no projection to trust and asked the workflow (a replay when it is not cached):
  // issue 14 goal 3 wants none; the benchmark and operators read how many, and why.
  const readsFromWorkflow = new Counter({
    name: 'huanjie_reads_from_workflow_total',
    help: 'GETs answered by a workflow query because the projection was missing or stale',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  const s: Services = {
    ...deps,
    read: createReadModel(deps.pool),
    jurisdictions: createJurisdictionActivities({ pool: deps.pool }),
    record: createRecordActivities({ pool: deps.pool }),
    reports: createReportActivities({ pool: deps.pool, sealer }),
    reviews: createReviewActivities({ pool: deps.pool }),
    supervision: createSupervisionActivities({ pool: deps.pool }),
    ledger: createLedgerActivities({ pool: deps.pool }),
    starter: createWorkflowStarter({ pool: deps.pool, temporal: deps.temporal }),
    sealer,
    sealedDetails: createSealedDetailActivities({ pool: deps.pool, sealer }),
    readFromWorkflow: (kind, projected) => readsFromWorkflow.inc({ kind, reason: projected ? 'stale' : 'missing' }),
  };
  // A read (GET, HEAD) reads on connections of its own: under a burst of inputs the input pool's
  // queue is hundreds deep, and a read behind it waited a second (bench measurement 7).
  const readers: Services = deps.readPool ? { ...s, pool: deps.readPool, read: createReadModel(deps.readPool) } : s;
  const app: App = createRouter();

  // Handlers reach the services through the request (c.var.services), so route modules hold none.
  app.use('*', async (c, next) => {
    c.set('services', c.req.method === 'GET' || c.req.method === 'HEAD' ? readers : s);
    await next();
  });
  // The request's id is the API's own, sent back as X-Request-Id: a caller's X-Request-Id was taken as is
  // (found from outside), so two callers' acts could carry one id on the record, or an earlier act's. Only
  // the console's in-process call (no socket: nothing from outside arrives so) passes its page's id on.
  app.use('*', requestId({ headerName: '', generator: (c) => consolePageId(c) ?? crypto.randomUUID() }));
  app.use('*', async (c, next) => {
    c.header('X-Request-Id', c.get('requestId'));
    await next();
  });
  // Request counts and durations by route pattern (ids never become labels), scraped at /metrics.
  const metrics = prometheus({ registry, prefix: 'huanjie_', collectDefaultMetrics: true });
  app.use('*', metrics.registerMetrics);
  app.get('/metrics', metrics.printMetrics);
  const tracer = deps.tracer;
  if (tracer) {
    // The request's span is active while the handler runs, so the Temporal client interceptor makes
    // the workflow's spans (and its activities') children of it. Named by route pattern, never by id.
    app.use('*', (c, next) =>
      tracer.startActiveSpan(
        `${c.req.method} ${c.req.path.replace(/\/v1\/([^/]+)\/[^/]+/, '/v1/$1/{id}')}`,
        async (span) => {
          try {
            await next();
            span.setAttribute('http.status_code', c.res.status);
          } finally {
            span.end();
          }
        },
      ),
    );
  }
  // One deadline for every Temporal call a request makes (gRPC calls carry none by default): a server
  // that takes connections and answers nothing would otherwise hold the request — and apply it minutes
  // later, to a caller who has given up. Past it, an Update is 504 (retry with the same
  // Idempotency-Key), anything else 503 naming Temporal, both with Retry-After.
  // The same deadline bounds the whole answer of a /v1 request (api/request-clock.ts): pool waits, locks
  // and the API's own polling included.
  const temporalDeadlineMs = deps.temporalDeadlineMs ?? DEFAULT_TEMPORAL_DEADLINE_MS;
  app.use('/v1/*', requestClock(deps.temporal, temporalDeadlineMs, true));
  app.use('/console/*', requestClock(deps.temporal, temporalDeadlineMs, false));
  app.use('*', secureHeaders());
  // An answer is for its caller alone (a report's sealed text, a cycle in scope): no browser or proxy keeps it.
  app.use('/v1/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  // The API and the console's forms (which carry the same inputs) share one limit: a larger body is
  // refused before it is read, and never echoed back into a page.
  const limit = bodyLimitOf(deps.bodyLimitBytes ?? 1024 * 1024);
  app.use('/v1/*', limit);
  app.use('/console/*', limit);
  app.use('/v1/*', authenticate(deps.auth));
  app.use('/v1/*', rateLimit(deps.rateLimit ?? { perMinute: 600, burst: 120 }));
  // Every body is read as UTF-8 text as sent, the console's forms and the codec's batches as the API's
  // JSON (found from outside: forms and the codec took what /v1 refused, and stored U+FFFD).
  app.use('/v1/*', readableBody);
  app.use('/console/*', readableBody);
  app.use('/v1/*', refuseUnreadableText);
  if (deps.codec) {
    // Payload batches from the UI can be larger than any API input.
    app.use('/codec/*', bodyLimitOf(8 * 1024 * 1024));
    app.use('/codec/*', readableBody);
    app.route(
      '/codec',
      codecRoutes({
        codec: deps.codec,
        auth: deps.auth,
        trustedOrigins: deps.codecTrustedOrigins ?? [],
        corsOrigins: deps.codecCorsOrigins ?? [],
        s,
      }),
    );
  }

  app.onError(async (err, c) => {
    const mapped = answerFor(err);
    if (mapped?.denied) await recordDenial(c, mapped);
    if (mapped) return errorResponse(c, mapped);
    // Unknown failures are logged with the request id; the client gets no internals.
    console.error(`api: ${c.req.method} ${c.req.path} [${c.get('requestId')}] ${err.stack ?? err}`);
    return errorResponse(
      c,
      new ApiError(500, ErrorCode.Internal, 'internal error; quote the request id when reporting it'),
    );
  });
  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError(404, ErrorCode.NotFound, `no route ${c.req.method} ${c.req.path}`, [
        { path: '(url)', rule: 'a route of /openapi.json' },
      ]),
    ),
  );

  const recordDenial = (c: Parameters<typeof recordDenialWith>[1], e: ApiError) => recordDenialWith(s, c, e);

  app.get('/healthz', (c) => c.json({ ok: true }));
  // Each part's check is bounded so the answer comes within ~2 s and names the part that is down.
  app.get('/readyz', async (c) => {
    const [temporal, postgres] = await Promise.all([
      within(2000, () => deps.temporal.workflowService.getSystemInfo({})).then(
        () => 'ok',
        (e: Error) => `down: ${e.message}`,
      ),
      within(2000, () => deps.pool.query('SELECT 1')).then(
        () => 'ok',
        (e: Error) => `down: ${e.message}`,
      ),
    ]);
    const ok = temporal === 'ok' && postgres === 'ok';
    if (!ok) c.header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    return c.json({ ok, checks: { temporal, postgres } }, ok ? 200 : 503);
  });

  // Route groups, each routes/handlers/wiring apart (api/routes/<group>/). Mounted after the
  // middleware above, so every one of them is authenticated, rate-limited and checked alike.
  const routed = app
    .route('/', systemRouter)
    .route('/', jurisdictionRouter)
    .route('/', cycleRouter)
    .route('/', candidateRouter)
    .route('/', reviewRouter)
    .route('/', reportRouter)
    .route('/', supervisionRouter)
    .route('/', campaignRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Huanjie 换届 API',
      version: '0.1.0',
      description:
        'Orchestrates leadership-transition cycles (换届). Every /v1 route needs a bearer JWT with roles and a scope. ' +
        'Any route answers 503 SERVICE_UNAVAILABLE with Retry-After, naming the part (database or temporal), when a part it needs is unreachable; retry later (a stage input with the same Idempotency-Key).',
    },
    security: [{ bearer: [] }],
  };
  // Built at the first request, once every route is registered; the same for every caller after.
  let document: unknown;
  app.get('/openapi.json', (c) =>
    c.json((document ??= withAnswersEveryRouteMayGive(app.getOpenAPI31Document(documentConfig)))),
  );
  app.route('/docs', offlineDocs('/openapi.json'));
  // The people's console: pages that call this same API in-process with the user's token.
  app.route('/console', consoleRoutes({ api: app, auth: deps.auth, options: deps.console ?? {} }));
  return routed;
}

/** Bodies over `maxSize` bytes answer 413 through the one error path (which closes the connection). */
function bodyLimitOf(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, ErrorCode.PayloadTooLarge, `request body exceeds ${maxSize} bytes`, [
        { path: '(body)', rule: `at most ${maxSize} bytes` },
      ]);
    },
  });
}

/** The API's routes with their inputs and responses, for typed clients: `hc<AppType>(url)` (hono/client). */
export type AppType = ReturnType<typeof createApp>;

/** A refused request goes on the record too: who tried what, where. Never fails the response. */
async function recordDenialWith(s: Services, c: Parameters<Parameters<App['onError']>[0]>[1], e: ApiError) {
  const p = c.get('principal');
  if (!p) return;
  await s.record
    .recordEvent({
      key: `denied:${c.get('requestId')}`,
      at: Date.now(),
      actor: { id: p.sub, role: p.roles.join(','), requestId: c.get('requestId') },
      subjectType: 'request',
      subjectId: `${c.req.method} ${c.req.path}`,
      cycleId: null,
      jurisdictionId: p.scope,
      action: 'access.denied',
      detail: { status: e.status, code: e.code, message: e.message },
    })
    .catch((err: Error) => console.error(`api: could not record a denial: ${err.message}`));
}

/**
 * Every string of every request, before any route sees it (domain/text.ts textRuleBroken): Postgres cannot
 * store U+0000 or a lone surrogate, and a write that fails on one after the workflow moved would leave the
 * record behind; control characters and text that shows nothing are never what anyone meant.
 */
const refuseUnreadableText: MiddlewareHandler<Env> = async (c, next) => {
  const issues: { path: string; rule: string }[] = [];
  for (const [name, values] of Object.entries(c.req.queries())) {
    const rule = values.map(textRuleBroken).find((r) => r !== undefined);
    if (rule) issues.push({ path: name, rule });
  }
  if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    // Malformed JSON is left to the route's validator, which names it.
    const body: unknown = await c.req.json().catch(() => undefined);
    const shape = body === undefined ? undefined : bodyShapeProblem(body);
    if (shape)
      throw new ApiError(400, ErrorCode.Validation, `invalid input: (body): ${shape}`, [
        { path: '(body)', rule: shape },
      ]);
    if (body !== undefined) issues.push(...textIssues(body));
  }
  if (issues.length > 0)
    throw new ApiError(
      400,
      ErrorCode.Validation,
      `invalid input: ${issues.map((i) => `${i.path}: ${i.rule}`).join('; ')}`,
      issues,
    );
  await next();
};

/**
 * JSON is read as UTF-8 (RFC 8259 §8.1): a body that says it is in another charset would be stored changed
 * without a word (its latin-1 é read as U+FFFD), so it is refused; no charset, or UTF-8, is read.
 */
const JSON_TYPE = /^application\/([a-z.+-]*\+)?json/i;
const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

/**
 * A body is read as sent, as UTF-8 text: in no content coding (one that said it was was read as plain text),
 * in no other charset, and — for JSON and forms — its bytes, and a form's percent-escapes, valid UTF-8.
 */
const readableBody: MiddlewareHandler = async (c, next) => {
  const coding = c.req.header('content-encoding');
  if (coding !== undefined && !/^\s*identity\s*$/i.test(coding))
    throw new ApiError(415, ErrorCode.HttpError, 'a body is read as sent, in no content coding', [
      { path: 'header.Content-Encoding', rule: 'identity or none' },
    ]);
  const type = c.req.header('content-type') ?? '';
  if (JSON_TYPE.test(type) || FORM_TYPE.test(type)) {
    refuseOtherCharsets(type);
    await refuseInvalidUtf8(c, /^application\/x-www-form-urlencoded/i.test(type));
  }
  await next();
};

function refuseOtherCharsets(contentType: string): void {
  // Every charset parameter: `charset=utf-8; charset=latin1` says two things, and one of them is not UTF-8.
  const charsets = [...contentType.matchAll(/;\s*charset\s*=\s*"?([^";\s]*)"?/gi)].map((m) => m[1]!);
  if (charsets.every((charset) => /^utf-?8$/i.test(charset))) return;
  throw new ApiError(415, ErrorCode.HttpError, 'a JSON body is read as UTF-8', [
    { path: 'header.Content-Type', rule: 'charset UTF-8 or none (RFC 8259)' },
  ]);
}

/**
 * The body's bytes must be UTF-8, whatever the header says: read leniently, latin-1 bytes became U+FFFD and
 * were stored so (found from outside: a place named only ��). Hono keeps the bytes for the JSON read after.
 */
async function refuseInvalidUtf8(c: Context, urlEncoded: boolean): Promise<void> {
  const bytes = await c.req.arrayBuffer().catch(() => undefined);
  if (bytes === undefined) return;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // A form's %E9 is latin-1 too: decodeURIComponent refuses an escape that is not UTF-8.
    if (urlEncoded) for (const part of text.split(/[&=]/)) decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new ApiError(400, ErrorCode.Validation, 'invalid input: (body): the body is not valid UTF-8', [
      { path: '(body)', rule: 'valid UTF-8 (RFC 8259)' },
    ]);
  }
}

/** The console page's request id, on the console's own in-process call to the API; else undefined. */
function consolePageId(c: Context): string | undefined {
  const overSocket = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
  const sent = c.req.header('x-request-id');
  return !overSocket && sent && /^[\w-]{8,128}$/.test(sent) ? sent : undefined;
}

function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return Promise.race([
    fn(),
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
