/**
 * One error body for every failure: `{ error: { code, message, details } }`, where details name the
 * field and the rule. Temporal and domain errors are mapped here, once; nothing else builds error
 * responses, and no stack trace or SQL ever reaches a client.
 */
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, ServiceError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { isConnectionError } from '../activities/db.js';
import { DomainError, ErrorType, type FieldIssue } from '../domain/errors.js';
import { fieldIssues, invalidMessage } from '../domain/field-issues.js';

/**
 * Every code an error body can carry: the domain's (ErrorType, shared with the workflows) and the
 * API's own. Code names them from here, never as string literals.
 */
export const ErrorCode = {
  ...ErrorType,
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotReady: 'NOT_READY',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RateLimited: 'RATE_LIMITED',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Timeout: 'TIMEOUT',
  PermanentDbError: 'PERMANENT_DB_ERROR',
  Rejected: 'REJECTED',
  HttpError: 'HTTP_ERROR',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  error: { code: string; message: string; details: FieldIssue[]; requestId?: string };
}

export class ApiError extends Error {
  /** Set on refusals that must go on the record (403, and 404 for objects outside the caller's scope). */
  denied = false;
  /** Sent as Retry-After: when a retry of the same request may succeed (outages, 503). */
  retryAfterSeconds?: number;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
  }

  asDenial(): this {
    this.denied = true;
    return this;
  }
}

/** Seconds a client waits before retrying after an outage: long enough for a restart or a failover. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** A part the API needs is down: 503 naming it, so operators know where to look and clients retry. */
export function unavailable(part: 'database' | 'temporal', why: string): ApiError {
  const e = new ApiError(503, ErrorCode.ServiceUnavailable, `${part} unavailable (${why}); retry later`, [
    { path: part, rule: 'unreachable' },
  ]);
  e.retryAfterSeconds = OUTAGE_RETRY_AFTER_SECONDS;
  return e;
}

/**
 * Temporal is up but busy with one workflow: it refused an Update past the workflow's in-flight limit
 * (RESOURCE_EXHAUSTED), or aborted one waiting while it reloaded the workflow ("workflow update was
 * aborted", UNAVAILABLE). Nothing was applied; the server itself treats both as worth a retry.
 */
export function busy(why: string): ApiError {
  const e = new ApiError(
    503,
    ErrorCode.ServiceUnavailable,
    `temporal is busy with this workflow's inputs (${why}); retry later with the same Idempotency-Key`,
    [{ path: 'temporal', rule: 'busy' }],
  );
  e.retryAfterSeconds = OUTAGE_RETRY_AFTER_SECONDS;
  return e;
}
const GRPC_RESOURCE_EXHAUSTED = 8;
const UPDATE_ABORTED = /workflow update was aborted/;
const BETWEEN_RUNS = /unable to locate current workflow execution/;

/** pg-pool's words when every connection stayed in use for its whole connection wait. */
const POOL_QUEUE_TIMEOUT = 'timeout exceeded when trying to connect';

/** Every connection of the API's pool in use for the whole wait for one: nothing was done; retry shortly. */
function databaseBusy(): ApiError {
  const e = new ApiError(
    503,
    ErrorCode.ServiceUnavailable,
    'database busy (every connection of the API is in use); this request applied nothing — retry shortly',
    [{ path: 'database', rule: 'busy' }],
  );
  e.retryAfterSeconds = 1;
  return e;
}

/** A record still being written (a projection repaired, a workflow not started yet): 503, retry in a second. */
export function beingWritten(message: string): ApiError {
  const e = new ApiError(503, ErrorCode.NotReady, message, [{ path: 'record', rule: 'being written' }]);
  e.retryAfterSeconds = 1;
  return e;
}

/**
 * Temporal is up but the workflow could not answer a query just now: the server clears the queries
 * waiting on a workflow task that failed or was refused ("buffered query cleared, please retry",
 * UNAVAILABLE), as under a burst of inputs. Not an outage: 503 with a short Retry-After.
 */
export function notAnswering(why: string): ApiError {
  const e = new ApiError(
    503,
    ErrorCode.NotReady,
    `the workflow could not answer just now (${why}); Temporal is up — read again shortly`,
    [{ path: 'temporal', rule: 'busy' }],
  );
  e.retryAfterSeconds = 1;
  return e;
}
const QUERY_CLEARED = /buffered query cleared/i;

/**
 * An input the workflow took whose answer the API could not give (its record behind, a read of it or a
 * connection failing, the request's deadline reached): it was applied, and the cycle shows it once read
 * again; a retry with the same Idempotency-Key answers with it. The one 503 naming `version`.
 */
export function acceptedUnanswered(
  message = 'the input was accepted and applied, but its answer could not be read back in time; read it again shortly (a retry with the same Idempotency-Key answers with it)',
): ApiError {
  const e = new ApiError(503, ErrorCode.ServiceUnavailable, message, [
    { path: 'version', rule: 'the input is accepted; its answer is behind' },
  ]);
  e.retryAfterSeconds = 1;
  return e;
}

/** An Update cut off before its outcome was known (the request's deadline): it may yet be applied. */
export function inputTimedOut(): ApiError {
  const e = new ApiError(
    504,
    ErrorCode.Timeout,
    'the workflow did not answer in time; it may still apply the input — retry with the same Idempotency-Key',
    [{ path: 'deadline', rule: 'answered within TEMPORAL_DEADLINE_SECONDS' }],
  );
  e.retryAfterSeconds = OUTAGE_RETRY_AFTER_SECONDS;
  return e;
}

/** Why Temporal, up, refused an Update as busy (see `busy`); undefined for any other error. */
export function temporalBusy(err: unknown): string | undefined {
  if (!(err instanceof ServiceError)) return undefined;
  const code = grpcCode(err.cause);
  if (code === GRPC_RESOURCE_EXHAUSTED) return 'RESOURCE_EXHAUSTED';
  const details = String((err.cause as { details?: unknown }).details);
  if (code === GRPC_UNAVAILABLE && UPDATE_ABORTED.test(details)) return 'update aborted';
  // Between two runs of a workflow continuing as new, the server cannot yet say which is current
  // (found from outside: answered "temporal unreachable" under a burst on a long-lived cycle).
  if (code === GRPC_UNAVAILABLE && BETWEEN_RUNS.test(details)) return 'between runs';
  return undefined;
}

/** gRPC status codes meaning the Temporal frontend could not be reached or did not answer. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
/** The gRPC status code of a Temporal call's error (raw, as the connection throws it), if it has one. */
export const grpcCode = (e: unknown): number | undefined => {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
};

/** A Temporal call cut off by its deadline (the request's: api/request-clock.ts), wrapped or raw. */
export const temporalDeadlinePassed = (err: unknown): boolean =>
  (err instanceof ServiceError ? grpcCode(err.cause) : grpcCode(err)) === GRPC_DEADLINE_EXCEEDED;

const grpcName = (code: number) => (code === GRPC_UNAVAILABLE ? 'UNAVAILABLE' : 'DEADLINE_EXCEEDED');

/** Absent and out of the caller's scope alike (one answer, so a scope's edge tells nothing). */
export const notFound = (what: string, path = '(url)') =>
  new ApiError(404, ErrorType.NotFound, `${what} not found`, [{ path, rule: "exists within the caller's scope" }]);

const STATUS_BY_TYPE: Record<string, ContentfulStatusCode> = {
  [ErrorType.Validation]: 400,
  [ErrorType.WrongStage]: 409,
  [ErrorType.Duplicate]: 409,
  [ErrorType.Suspended]: 409,
  [ErrorType.Closed]: 409,
  [ErrorType.Conflict]: 409,
  [ErrorType.NotFound]: 404,
  [ErrorType.Inconsistent]: 422,
  [ErrorType.Calendar]: 422,
};

export function validationError(e: ZodError, where = 'body'): ApiError {
  const details = fieldIssues(e);
  return new ApiError(400, ErrorType.Validation, invalidMessage(where, details), details);
}

function fromFailure(f: ApplicationFailure): ApiError {
  const type = f.type ?? '';
  const details = Array.isArray(f.details?.[0]) ? (f.details[0] as FieldIssue[]) : [];
  return new ApiError(STATUS_BY_TYPE[type] ?? 422, type || ErrorCode.Rejected, f.message, orRuleOf(type, details));
}

/**
 * A rule of the workflow's that names no field (the cycle's status or stage, a second record) still says
 * which rule refused it: found from outside, 409 WRONG_STAGE and SUSPENDED came with empty details.
 */
function orRuleOf(type: string, details: FieldIssue[]): FieldIssue[] {
  if (details.length > 0) return details;
  return [RULE_BY_TYPE[type] ?? { path: '(body)', rule: 'accepted by the rules of the stage the workflow is in' }];
}
const RULE_BY_TYPE: Record<string, FieldIssue> = {
  [ErrorType.WrongStage]: { path: '(url)', rule: 'takes this input at the stage or status it is in' },
  [ErrorType.Suspended]: { path: '(url)', rule: 'takes input once resumed' },
  [ErrorType.Closed]: { path: '(url)', rule: 'takes input while it runs' },
  [ErrorType.Duplicate]: { path: '(body)', rule: 'recorded once' },
};

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    // Hono's own 400 is a body it could not parse (malformed JSON, wrong content type).
    if (err.status === 400)
      return new ApiError(400, ErrorType.Validation, err.message || 'malformed request', [
        { path: '(body)', rule: err.message || 'must be valid JSON' },
      ]);
    const code =
      err.status === 413
        ? ErrorCode.PayloadTooLarge
        : err.status === 401
          ? ErrorCode.Unauthenticated
          : ErrorCode.HttpError;
    const rule =
      err.status === 415
        ? { path: 'header.Content-Type', rule: 'application/json' }
        : { path: '(request)', rule: err.message || 'refused by HTTP' };
    return new ApiError(err.status, code, err.message || 'request refused', [rule]);
  }
  if (err instanceof ZodError) return validationError(err);
  if (err instanceof DomainError)
    return new ApiError(STATUS_BY_TYPE[err.type] ?? 422, err.type, err.message, orRuleOf(err.type, err.details));
  if (err instanceof WorkflowNotFoundError) return notFound('workflow');
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return new ApiError(409, ErrorType.Conflict, 'already started', [{ path: '(url)', rule: 'started once' }]);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return fromFailure(err.cause);
  // An input whose record could not be written (activities/permanent.ts): the workflow undid it.
  if (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ActivityFailure &&
    err.cause.cause instanceof ApplicationFailure &&
    err.cause.cause.type === ErrorCode.PermanentDbError
  )
    return new ApiError(
      500,
      ErrorCode.PermanentDbError,
      'the record could not be written, so the input was not applied; quote the request id when reporting it',
    );
  if (err instanceof ApplicationFailure) return fromFailure(err);
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return inputTimedOut();
  if (err instanceof ServiceError) {
    const code = grpcCode(err.cause);
    if (code === 5) return notFound('workflow');
    const why = temporalBusy(err);
    if (why) return busy(why);
    if (code === GRPC_UNAVAILABLE && QUERY_CLEARED.test(String((err.cause as { details?: unknown }).details)))
      return notAnswering('buffered query cleared');
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) {
      // The server's or the channel's own words, for operators (never sent to a client): "unreachable"
      // once came from a burst on one cycle while Temporal was up, cause not pinned (input-burst test).
      console.warn(
        `api: temporal ${grpcName(code)} on "${err.message}": ${String((err.cause as { details?: unknown }).details)}`,
      );
      return unavailable('temporal', grpcName(code));
    }
  }
  // A raw gRPC error (workflowService calls are not wrapped): metadata marks it as one.
  const raw = grpcCode(err);
  if ((raw === GRPC_UNAVAILABLE || raw === GRPC_DEADLINE_EXCEEDED) && (err as { metadata?: unknown }).metadata)
    return unavailable('temporal', grpcName(raw));
  // The API's own pool had no free connection for its whole wait (pg-pool's queue timeout; a connection
  // that cannot be opened says otherwise): PostgreSQL answers, the API is busy — under a burst of inputs
  // this was answered "database unreachable" (found from outside).
  if (err instanceof Error && err.message === POOL_QUEUE_TIMEOUT) return databaseBusy();
  // Only the code: the message would tell a client the database's address.
  if (isConnectionError(err)) {
    const code = (err as { code?: unknown }).code;
    return unavailable('database', typeof code === 'string' ? code : 'no connection');
  }
  return undefined;
}

/**
 * A 503 speaks for the request it answers. Sent with an Idempotency-Key it says so: an earlier request
 * with the same key (answered 504, or not at all) may have been applied, and only a retry with the key
 * can tell — found from outside: a client that gave up on "nothing was applied" after eight keyed retries
 * believed that holds on the record were not. An input taken (details naming `version`) says it was.
 */
function messageFor(c: Context, e: ApiError): string {
  const keyed = c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.header('idempotency-key') !== undefined;
  if (!keyed || e.status !== 503 || e.details.some((d) => d.path === 'version')) return e.message;
  return `${e.message} (this request; one sent earlier with the same Idempotency-Key may have been applied: send it again with that key for its answer)`;
}

export function errorResponse(c: Context, e: ApiError) {
  const requestId = c.get('requestId' as never) as string | undefined;
  if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
  const body: ErrorBody = {
    error: { code: e.code, message: messageFor(c, e), details: e.details, ...(requestId ? { requestId } : {}) },
  };
  // A 413 is sent before the body is read: the unread rest would be taken for the next request on a
  // keep-alive connection, so the connection is closed after this answer.
  if (e.status === 413) c.header('Connection', 'close');
  return c.json(body, e.status);
}
