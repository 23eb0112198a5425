/**
 * One deadline per request, end to end. Temporal's calls carry it (a gRPC deadline, so none is sent
 * after it), every bounded wait of a handler reads what is left of it (`remainingMs`), and the
 * answer comes by then whatever is still waiting — a connection from a full pool, a lock, a record
 * being written. Found from outside: under a burst on a long-lived cycle answers took up to 100 s
 * against a documented 30, and inputs the cycle had taken answered "database unreachable".
 *
 * The clock also knows how far the request's input got (`inputSent`, `inputTaken`): an answer that
 * comes late or fails after a workflow took the input must say it was applied (503 naming `version`),
 * one cut off while an Update was in flight that it may be (504, retry with the same key), and only
 * one that never sent anything that nothing was.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@temporalio/client';
import type { MiddlewareHandler } from 'hono';
import type { Env } from './context.js';
import {
  ApiError,
  ErrorCode,
  acceptedUnanswered,
  errorResponse,
  inputTimedOut,
  temporalDeadlinePassed,
  toApiError,
} from './errors.js';

interface RequestClock {
  readonly deadline: number;
  /** The request's method, path and id, for the log lines below. */
  readonly request: string;
  input?: 'sent' | 'taken';
  /** The Update's path so far (send, abort, question, resend…), logged with a late answer for operators. */
  steps?: string[];
}

const clocks = new AsyncLocalStorage<RequestClock>();

/** How long after the deadline a handler still waiting is answered for (see requestClock). */
const ANSWER_MARGIN_MS = 200;

/**
 * The request deadline for /v1 routes (`answered`: the late answer too) and the console's pages
 * (Temporal calls only: a page answers with a page of its own, never a JSON error).
 */
export function requestClock(temporal: Client, deadlineMs: number, answered: boolean): MiddlewareHandler<Env> {
  return async (c, next) => {
    const clock: RequestClock = {
      deadline: Date.now() + deadlineMs,
      request: `${c.req.method} ${c.req.path} [${c.get('requestId')}]`,
    };
    const run = () => clocks.run(clock, () => temporal.connection.withDeadline(clock.deadline, next));
    if (!answered) return run();
    const handled = run();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<true>((resolve) => {
      // At the deadline a handler still waiting is answered for. Its Temporal calls fail then too (their
      // own deadline), and the margin lets its own answer to that be the one heard (a start's 503
      // naming temporal); the race is for waits Temporal's deadline does not cut (PostgreSQL, polling).
      timer = setTimeout(() => resolve(true), deadlineMs + ANSWER_MARGIN_MS);
    });
    try {
      if ((await Promise.race([handled.then(() => false), late])) === false) return;
    } finally {
      clearTimeout(timer);
    }
    // The handler goes on (anything it throws now is nobody's answer) and its late answer is dropped.
    handled.catch(() => undefined);
    const what = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'input';
    console.warn(
      `api: ${clock.request} answered at its deadline (${deadlineMs} ms)` +
        ` as ${clock.input ?? 'not sent'}; its Update: ${clock.steps?.join(' > ') ?? 'none'}`,
    );
    return errorResponse(c, lateAnswer(clock, what, deadlineMs));
  };
}

function lateAnswer(clock: RequestClock, what: 'read' | 'input', deadlineMs: number): ApiError {
  if (clock.input === 'taken') return acceptedUnanswered();
  if (what === 'input') return inputTimedOut();
  const e = new ApiError(
    503,
    ErrorCode.ServiceUnavailable,
    `the read did not finish within the request deadline (${Math.round(deadlineMs / 1000)} s); read again shortly`,
    [{ path: 'deadline', rule: 'answered within TEMPORAL_DEADLINE_SECONDS' }],
  );
  e.retryAfterSeconds = 1;
  return e;
}

/** Milliseconds left before this request's deadline (Infinity outside a request: the worker, tests). */
export function remainingMs(): number {
  const clock = clocks.getStore();
  return clock ? clock.deadline - Date.now() : Infinity;
}

/** Kept of a request's deadline for the answer itself, after the last wait. */
export const ANSWER_MS = 1_000;

/** `ms`, or what is left of the request once ANSWER_MS is kept for the answer, whichever is shorter. */
export function withinRequest(ms: number): number {
  return Math.min(ms, remainingMs() - ANSWER_MS);
}

/** The request is about to send its Update: from now on a cut-off answer cannot say nothing was applied. */
export function inputSent(): void {
  const clock = clocks.getStore();
  if (clock && clock.input === undefined) clock.input = 'sent';
}

/** One step of the request's Update (api/updates.ts), for the late answer's log line: no ids, no input. */
export function inputStep(step: string): void {
  const clock = clocks.getStore();
  if (clock) (clock.steps ??= []).push(`${step}@${Math.round(clock.deadline - Date.now())}ms-left`);
}

/** A workflow took the request's input: whatever fails after this, the answer says it was applied. */
export function inputTaken(): void {
  const clock = clocks.getStore();
  if (clock) clock.input = 'taken';
}

/**
 * The answer to a request that failed: while its Update was in flight, a Temporal call cut off by the
 * deadline is a 504 (it may yet be applied), not an outage; after its input was taken, a failure of the server's side (a
 * pool without a free connection, a read of the answer that failed) is the applied 503, never an
 * outage that says nothing was applied. A client's mistake found after (a 4xx) stands.
 */
export function answerFor(err: unknown): ApiError | undefined {
  const mapped = toApiError(err);
  const clock = clocks.getStore();
  const input = clock?.input;
  // A question about the Update's outcome cut off by the deadline: it may yet be applied. Logged as the
  // late answer is (requestClock), for operators: how far the Update got.
  if (input === 'sent' && temporalDeadlinePassed(err)) {
    console.warn(
      `api: ${clock?.request} cut off by its deadline as sent; its Update: ${clock?.steps?.join(' > ') ?? 'none'}`,
    );
    return inputTimedOut();
  }
  if (input !== 'taken' || (mapped && mapped.status < 500)) return mapped;
  // A handler that could not write its record undid the input (api/errors.ts): not applied, says so.
  if (mapped?.code === ErrorCode.PermanentDbError) return mapped;
  if (mapped && mapped.details.some((d) => d.path === 'version')) return mapped;
  if (!mapped) console.error(`api: after an input was taken: ${(err as Error)?.stack ?? String(err)}`);
  return acceptedUnanswered();
}
