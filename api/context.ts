import type { Tracer } from '@opentelemetry/api';
import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Pool } from '../activities/db.js';
import type { createJurisdictionActivities } from '../activities/jurisdictions.js';
import type { AesGcmCodec, CodecKey } from '../temporal/codec.js';
import type { createLedgerActivities } from '../activities/ledger.js';
import type { WorkflowStarter } from '../activities/outbox.js';
import type { createRecordActivities } from '../activities/record.js';
import type { createReportActivities } from '../activities/reports.js';
import type { createReviewActivities } from '../activities/reviews.js';
import type { Sealer } from '../activities/sealed.js';
import type { createSealedDetailActivities } from '../activities/sealed-details.js';
import type { createSupervisionActivities } from '../activities/supervision.js';
import type { ConsoleOptions } from './console/kit.js';
import type { AuthConfig, Principal } from './principal.js';
import type { RateLimit } from './rate-limit.js';
import type { ReadModel } from './read-model.js';

export interface AppDeps {
  temporal: Client;
  /** Inputs' connections: idempotency keys, records, and the reads an input makes. */
  pool: Pool;
  /**
   * Reads' connections (GET, HEAD): a burst of inputs, each holding a connection query after query,
   * never queues a reader behind it. Default: `pool`.
   */
  readPool?: Pool;
  taskQueue: string;
  auth: AuthConfig;
  /** Request bodies above this many bytes answer 413. */
  bodyLimitBytes?: number;
  /** Per-user request budget; default 600 a minute, bursts of 120. */
  rateLimit?: RateLimit;
  /** Opens sealed columns (personal-matters details) for the roles allowed to read them. */
  codecKeys: CodecKey[];
  /** Serves /codec for the Temporal UI when given. */
  codec?: AesGcmCodec;
  /** Browser origins (the Temporal UI) allowed to call /codec; without a token only for local dev. */
  codecTrustedOrigins?: string[];
  /** Browser origins (a signed-in Temporal UI) allowed to call /codec with a bearer token. */
  codecCorsOrigins?: string[];
  /** When tracing is on: one span per request, the parent of the workflow calls it makes. */
  tracer?: Tracer;
  /** The console at /console: local sign-in (npm start only) and the Temporal UI to link to. */
  console?: ConsoleOptions;
  /**
   * All Temporal calls one request makes share this deadline (default 30 s): a hung server (taking
   * connections, answering nothing) costs a person this long, then 503/504 with Retry-After.
   */
  temporalDeadlineMs?: number;
  /**
   * Whether a cycle or campaign may run on a compressed calendar (a working day of a few seconds: a
   * publicity period over in moments). Demos and tests: yes (the default here, and npm start's); a
   * deployment's API (api/server.ts) refuses them unless COMPRESSED_CALENDARS=1.
   */
  compressedCalendars?: boolean;
}

export interface Services extends AppDeps {
  read: ReadModel;
  jurisdictions: ReturnType<typeof createJurisdictionActivities>;
  record: ReturnType<typeof createRecordActivities>;
  sealer: Sealer;
  /** Seals sensitive details in Postgres before a workflow is told of them (it gets the id). */
  sealedDetails: ReturnType<typeof createSealedDetailActivities>;
  reports: ReturnType<typeof createReportActivities>;
  /** Records the inspection inputs a candidate answered for its sender to record. */
  reviews: ReturnType<typeof createReviewActivities>;
  supervision: ReturnType<typeof createSupervisionActivities>;
  ledger: ReturnType<typeof createLedgerActivities>;
  /** Starts the workflows intake recorded in its transaction (reports, high risks). */
  starter: WorkflowStarter;
  /** Counts a read that asked the workflow: its projection was absent (`undefined`) or stale (any other). */
  readFromWorkflow(kind: 'cycle' | 'report' | 'supervision', projected: { stale: boolean } | undefined): void;
}

/** What every request carries: the caller (set by authenticate), its id, and the app's services. */
export type Env = { Variables: { principal: Principal; requestId: string; services: Services } };
export type App = OpenAPIHono<Env>;
/** A handler typed by its route: params, query and body as validated, and the responses it may send. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, Env>;
