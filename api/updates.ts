/**
 * Sends an Update and answers like a person would expect: a workflow that has finished says so
 * (409 CLOSED) instead of looking absent, which is what Temporal reports for a closed execution.
 */
import { createRequire } from 'node:module';
import type { WorkflowHandle } from '@temporalio/client';
import type { WorkflowStarter } from '../activities/outbox.js';
import { prepared, type Pool } from '../activities/db.js';
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  type QueryDefinition,
  type UpdateDefinition,
} from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import {
  ApiError,
  ErrorCode,
  grpcCode,
  inputTimedOut,
  notFound,
  temporalBusy,
  temporalDeadlinePassed,
} from './errors.js';
import { inputSent, inputStep, inputTaken, remainingMs } from './request-clock.js';

/** Queries a workflow; one that does not exist answers 404 naming `what`. */
export async function queryOr404<Ret>(
  handle: WorkflowHandle,
  query: QueryDefinition<Ret, []>,
  what: string,
): Promise<Ret> {
  try {
    return await handle.query(query);
  } catch (e) {
    throw e instanceof WorkflowNotFoundError ? notFound(what) : e;
  }
}

export async function sendUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  updateId: string,
  what: string,
  kept: Pool,
): Promise<Ret> {
  // Temporal takes an update id once per run only: after the workflow continued as new, a retry under
  // the same Idempotency-Key ran the input again (found from outside: a hold raised twice, a cycle
  // suspended again ten minutes later). A keyed Update's answer is kept in PostgreSQL (`kept`) once it
  // comes, and a retry, however late, gets it without sending the input again. Required, so no route
  // that sends under a key can leave it out.
  const keyed = updateId.startsWith(KEYED_PREFIX);
  const earlier = keyed ? await keptOutcome<Ret>(kept, updateId) : undefined;
  if (earlier) {
    inputTaken();
    return earlier.result;
  }
  inputSent();
  const stopWatching = watchAcceptance(handle, updateId);
  const result = await sendOnce(handle, update, args, updateId, what).finally(stopWatching);
  // From here a failure (the kept answer's write, the read of the answer) is answered as applied (an
  // outcome asked of the server after an abort comes without the acceptance marking it).
  inputTaken();
  if (keyed) await kept.query(KEEP_OUTCOME([updateId, JSON.stringify({ result })]));
  return result;
}

/** The answer kept for a keyed Update (sendUpdate), if one came. */
export async function keptOutcome<Ret>(pool: Pool, updateId: string): Promise<{ result: Ret } | undefined> {
  const { rows } = await pool.query<{ outcome: { result?: Ret } }>(KEPT_OUTCOME([updateId]));
  return rows[0] ? { result: rows[0].outcome.result as Ret } : undefined;
}

/** The update ids api/guards.ts derives from an Idempotency-Key. */
export const KEYED_PREFIX = 'idem-';
const KEPT_OUTCOME = prepared('kept-update-outcome', 'SELECT outcome FROM update_outcomes WHERE update_id = $1');
const KEEP_OUTCOME = prepared(
  'keep-update-outcome',
  'INSERT INTO update_outcomes (update_id, outcome) VALUES ($1, $2::jsonb) ON CONFLICT (update_id) DO NOTHING',
);

async function sendOnce<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  updateId: string,
  what: string,
): Promise<Ret> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await executeOrAskOutcome(handle, update, args, updateId);
    } catch (e) {
      if (!sentWhileEnding(e)) throw e;
      const status = await handle.describe().then(
        (d) => d.status.name,
        () => undefined,
      );
      if (status === undefined) throw e instanceof WorkflowNotFoundError ? notFound(what) : e;
      // No workflow when sent, running when asked: it started in between (a reserve's inspection opening).
      // Found from outside: such inputs were answered 409 "is running; it takes no more input", final by
      // the README, and the same key resent a moment later was taken.
      const startedSince = e instanceof WorkflowNotFoundError && status === 'RUNNING';
      if (status !== 'RUNNING' || !(taskFailed(e) || startedSince))
        throw new ApiError(409, ErrorType.Closed, `${what} is ${status.toLowerCase()}; it takes no more input`, [
          { path: '(url)', rule: 'takes input while it runs' },
        ]);
      // The task failed because the workflow tried to complete (or move on) with this Update
      // pending; its next task takes the Update or ends the workflow — or the workflow has just
      // started. The same update id applies the input at most once, so sending it again is safe.
      inputStep(startedSince ? `started since ${attempt}` : `task failed ${attempt}`);
      if (attempt === TASK_FAILED_ATTEMPTS) throw notReady(what);
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/**
 * Sends the Update; if Temporal answers that it aborted it ("workflow update was aborted", when the
 * server reloads the workflow), asks for the outcome of that update id instead of guessing. The abort
 * reaches Updates the workflow already took too (found from outside: a burst's 503 whose hold was on
 * the cycle): such an Update is in history and its outcome is the answer. One the server does not know
 * (NOT_FOUND) is sent again under the same update id, which the server applies at most once: a copy
 * still in a workflow task that completes after the question (seen under load: two holds answered
 * 503 were applied all the same) is then the same Update, and the answer is its outcome. When the
 * sends keep being aborted, a copy may still be in a workflow task the worker holds, taken when that
 * task completes (seen again under load: two holds answered 503 were applied after the last question).
 * Such a task completes or times out within the workflow task timeout, so the outcome is asked until
 * then; only if none has come does the abort stand (503 busy, api/errors.ts): nothing was applied.
 */
async function executeOrAskOutcome<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  updateId: string,
): Promise<Ret> {
  for (let send = 1; ; send++) {
    try {
      // Sent to be accepted first: once the workflow accepts it, its handler applies it (inputs are
      // checked in validators and applied as their handler starts), so from then on a late or failing
      // answer says applied (api/request-clock.ts) — found from outside: inputs on the record ~24 s
      // were answered 504 "may still apply" at the deadline, their handler waiting on its record.
      inputStep(`send ${send}`);
      const accepted = await handle.startUpdate(update, { args, updateId, waitForStage: WorkflowUpdateStage.ACCEPTED });
      inputStep('accepted');
      inputTaken();
      return await accepted.result();
    } catch (e) {
      const busy = temporalBusy(e);
      inputStep(`failed: ${busy ?? (e as Error).name}`);
      // The workflow between two runs: the server located none to send it to, so it is sent again.
      if (busy === 'between runs' && send < BETWEEN_RUNS_SENDS) {
        await new Promise((r) => setTimeout(r, 100 * send));
        continue;
      }
      if (busy !== 'update aborted') throw e;
      if (send === ABORTED_SENDS) return await outcomeOnceSettled(handle, updateId, e);
      const outcome = await outcomeIfKnown<Ret>(handle, updateId);
      if (outcome) return outcome.result;
      await new Promise((r) => setTimeout(r, 200 * send));
    }
  }
}

/**
 * The outcome of an update id the server knows (it waits for one admitted); undefined for one it does not.
 * Once the server says the workflow accepted it, the request's clock says taken, before the outcome comes:
 * found from outside, inputs asked about after an abort were on the record ~22 s and answered 504 "may
 * still apply" at the deadline, the outcome still to come.
 */
export async function outcomeIfKnown<Ret>(
  handle: WorkflowHandle,
  updateId: string,
): Promise<{ result: Ret } | undefined> {
  const known = await takenIfAccepted(handle, updateId);
  if (!known) return undefined;
  try {
    const where = known === true ? {} : { workflowRunId: known.runId };
    return { result: await handle.getUpdateHandle<Ret>(updateId, where).result() };
  } catch (asked) {
    if (asked instanceof WorkflowNotFoundError) return undefined;
    throw asked;
  }
}

// @temporalio/proto is CommonJS without static named exports, so ESM needs require() to reach it (a
// named import passed the tests, which transpile, and stopped the API at start: test/scripts).
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');
const STAGE = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const GRPC_NOT_FOUND = 5;

/**
 * Whether the server knows the update id — in the current run, or else in a run the workflow continued from
 * (its `runId`); if the workflow accepted it (and did not reject it), the request's clock says taken
 * (api/request-clock.ts). In the current run it waits, as the server does, for one admitted. Found from
 * outside: an Update accepted in a run that continued as new before the question was answered NOT_FOUND
 * by the current run, sent again, and its input, on the record, answered 504 "may still apply".
 */
async function takenIfAccepted(handle: WorkflowHandle, updateId: string): Promise<true | { runId: string } | false> {
  const found = await findUpdate(handle, updateId, STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED);
  inputStep(`asked: ${found ? `${found.stage}${found.runId ? ' in an earlier run' : ''}` : 'not found'}`);
  if (!found) return false;
  if (found.stage === 'accepted') inputTaken();
  return found.runId ? { runId: found.runId } : true;
}

/**
 * Where the server holds the update: its stage in the current run, or else the earlier run that accepted it;
 * undefined when neither does.
 */
async function findUpdate(
  handle: WorkflowHandle,
  updateId: string,
  waitFor: (typeof STAGE)[keyof typeof STAGE],
): Promise<{ stage: 'accepted' | 'refused' | 'waiting'; runId?: string } | undefined> {
  try {
    return { stage: await updateStage(handle, updateId, waitFor) };
  } catch (e) {
    if (grpcCode(e) !== GRPC_NOT_FOUND) throw e;
  }
  const runId = await acceptedInEarlierRun(handle, updateId);
  return runId === undefined ? undefined : { stage: 'accepted', runId };
}

/**
 * The update's stage in one run (the current one without `runId`): 'accepted' once the workflow took it
 * (a completion with a failure is a rejection: 'refused'), 'waiting' while only admitted. `waitFor` ADMITTED
 * answers at once; ACCEPTED waits for the workflow. An update the run does not hold is NOT_FOUND (thrown).
 */
async function updateStage(
  handle: WorkflowHandle,
  updateId: string,
  waitFor: (typeof STAGE)[keyof typeof STAGE],
  runId?: string,
): Promise<'accepted' | 'refused' | 'waiting'> {
  const { client } = handle;
  const ask = () =>
    client.workflowService.pollWorkflowExecutionUpdate({
      namespace: client.options.namespace,
      updateRef: { workflowExecution: { workflowId: handle.workflowId, ...(runId ? { runId } : {}) }, updateId },
      identity: client.options.identity,
      waitPolicy: { lifecycleStage: waitFor },
    });
  const r =
    waitFor === STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED ? await quickly(client, ask) : await ask();
  if (r.stage === STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED) return 'accepted';
  if (r.stage === STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED)
    return r.outcome?.failure ? 'refused' : 'accepted';
  return 'waiting';
}

/**
 * The run, among the last few the workflow continued from, that accepted the update, if one did. A run that
 * does not answer within the question's bound counts as one that did not: found from outside, the server's
 * answer about an update id admitted in a run that then continued as new never came (the poll hung until its
 * deadline, every time), and every keyed retry of that input answered 503 "temporal unreachable" for good,
 * while the current run had answered NOT_FOUND at once. Sent again under the same update id, an input an
 * earlier run did take is answered from the cycle's memory of answers (workflows/cycle/entity.ts), not
 * applied again.
 */
async function acceptedInEarlierRun(handle: WorkflowHandle, updateId: string): Promise<string | undefined> {
  for (const runId of await recentEarlierRuns(handle)) {
    const stage = await updateStage(
      handle,
      updateId,
      STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED,
      runId,
    ).catch((e: unknown) => {
      if (grpcCode(e) === GRPC_NOT_FOUND) return undefined;
      if (!temporalDeadlinePassed(e) || remainingMs() <= 0) throw e;
      console.warn(
        `api: ${handle.workflowId} run ${runId} did not say within ${QUICK_MS} ms whether it took an update`,
      );
      return undefined;
    });
    if (stage === 'accepted') return runId;
  }
  return undefined;
}

/**
 * The ids of the runs a workflow most recently continued as new from, newest first (visibility; asked at most
 * once a second per workflow, however many inputs wait on it — a burst's inputs ask together).
 */
function recentEarlierRuns(handle: WorkflowHandle): Promise<string[]> {
  const known = earlierRuns.get(handle.workflowId);
  if (known && Date.now() - known.at < EARLIER_RUNS_FRESH_MS) return known.runs;
  const { client } = handle;
  const runs = quickly(client, () =>
    client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      // Ids are ours (domain/ids.ts): no quote can appear in one.
      query: `WorkflowId = "${handle.workflowId}" AND ExecutionStatus = "ContinuedAsNew"`,
      pageSize: EARLIER_RUNS_ASKED,
    }),
  ).then((r) => (r.executions ?? []).flatMap((e) => (e.execution?.runId ? [e.execution.runId] : [])));
  earlierRuns.set(handle.workflowId, { at: Date.now(), runs });
  runs.catch(() => earlierRuns.delete(handle.workflowId));
  if (earlierRuns.size > 1_000) earlierRuns.delete(earlierRuns.keys().next().value!);
  return runs;
}
const earlierRuns = new Map<string, { at: number; runs: Promise<string[]> }>();

/**
 * A question that should answer at once, cut off after QUICK_MS (or at the request's deadline, if sooner):
 * under a burst one hung past its request's deadline (found by the burst script: the question of an input
 * accepted at 12.8 s answered at the deadline, and the input 504).
 */
function quickly<T>(client: WorkflowHandle['client'], ask: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + Math.min(QUICK_MS, remainingMs()), ask);
}
const QUICK_MS = 2_000;
const EARLIER_RUNS_FRESH_MS = 1_000;
/** A burst continues a cycle as new every few seconds at most; three runs back covers a request's deadline. */
const EARLIER_RUNS_ASKED = 3;

/**
 * While an input waits for its Update's answer, asks the server now and then whether the workflow accepted
 * it — in the current run or one it continued from — and marks the request taken when it did. The answer
 * to the send itself can fail to come: found from outside, under bursts the server cleared the workflow's
 * Update registry again and again (each abort retried inside it), and inputs accepted seconds before the
 * deadline were answered 504 "may still apply" (100 of 158 such answers in one attack). The first question
 * comes after WATCH_AFTER_MS (an input answered sooner costs nothing), the last one LAST_WATCH_MS before the
 * deadline, so a late answer says applied whenever the server knew.
 */
function watchAcceptance(handle: WorkflowHandle, updateId: string): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = (ms: number) => {
    if (!stopped) timer = setTimeout(() => void ask(), ms);
  };
  const ask = async () => {
    if (stopped) return;
    const accepted = await acceptedSomewhere(handle, updateId).catch((e: unknown) => `failed ${String(grpcCode(e))}`);
    inputStep(`watched: ${accepted === true ? 'accepted' : accepted || 'not yet'}`);
    if (accepted === true) {
      inputTaken();
      return;
    }
    const left = remainingMs() - LAST_WATCH_MS;
    if (left > WATCH_EVERY_MS) next(WATCH_EVERY_MS);
    else if (left > 0) next(left);
  };
  next(Math.min(WATCH_AFTER_MS, Math.max(0, remainingMs() - LAST_WATCH_MS)));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function acceptedSomewhere(handle: WorkflowHandle, updateId: string): Promise<boolean> {
  const found = await findUpdate(handle, updateId, STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED);
  return found?.stage === 'accepted';
}

/**
 * An input answered within this costs no question (most are answered in well under a second). Asked more
 * often (from 3 s, every 2 s) a burst of 450 inputs on one cycle had a fifth of them applied, against
 * half without questions: the server that answers them is the one taking the Updates.
 */
const WATCH_AFTER_MS = 10_000;
const WATCH_EVERY_MS = 10_000;
/**
 * The last question leaves this much of the request for itself and the answer (1.5 s was too little under
 * a burst: an outside attack found an input accepted 3.7 s before its deadline answered 504).
 */
const LAST_WATCH_MS = 2_500;

/** Asks for the outcome until any workflow task that could still carry the Update has completed or timed out. */
async function outcomeOnceSettled<Ret>(handle: WorkflowHandle, updateId: string, aborted: unknown): Promise<Ret> {
  const settled = Date.now() + SETTLE_MS;
  // The request's deadline may come first: the copies have not settled, so the input may yet be applied.
  const cutOff = Date.now() + remainingMs() - QUESTION_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
    const outcome = await outcomeIfKnown<Ret>(handle, updateId);
    if (outcome) return outcome.result;
    if (Date.now() >= settled) throw aborted;
    if (Date.now() >= cutOff) throw inputTimedOut();
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, Math.min(settled, cutOff) - Date.now()))));
  }
}

/** Time kept for one question about an outcome, so the last one ends before the request's deadline. */
const QUESTION_MS = 1_000;

/** Sends of one Update while its workflow is between two runs (~1.5 s in all), before the caller hears busy. */
const BETWEEN_RUNS_SENDS = 6;
/** Sends of one Update the server keeps aborting, before the API waits for copies in flight to settle. */
const ABORTED_SENDS = 3;
/** The workflow task timeout (Temporal's default, 10 s, which the workflows keep) and a margin. */
const SETTLE_MS = 11_000;

/** Sends of one input whose workflow task failed, before the caller is told to retry (~1.4 s in all). */
const TASK_FAILED_ATTEMPTS = 4;

/**
 * The ways Temporal answers an Update that meets a workflow as it ends: it ended before the Update
 * was admitted (NOT_FOUND), it ended with the Update admitted but not yet taken ("aborted by closing
 * workflow", NOT_FOUND as well), it ended with the Update taken but not answered (a failure of type
 * AcceptedUpdateCompletedWorkflow), or the workflow task that carried the Update failed, which is
 * what happens when a workflow tries to complete while the Update waits (the server fails that task
 * as UnhandledCommand and answers the Update WorkflowNotReady, gRPC FAILED_PRECONDITION). In none of
 * them was the input applied.
 */
function sentWhileEnding(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  if (e instanceof WorkflowUpdateFailedError && failureType(e) === 'AcceptedUpdateCompletedWorkflow') return true;
  return taskFailed(e);
}

const GRPC_FAILED_PRECONDITION = 9;
const failureType = (e: WorkflowUpdateFailedError) =>
  e.cause instanceof ApplicationFailure ? e.cause.type : undefined;
/**
 * The workflow task carrying the Update failed (WorkflowNotReady), or ended without answering it
 * (the server then rejects it as UnprocessedUpdate): either way it was not taken.
 */
const taskFailed = (e: unknown) =>
  (e instanceof ServiceError && grpcCode(e.cause) === GRPC_FAILED_PRECONDITION) ||
  (e instanceof WorkflowUpdateFailedError && failureType(e) === 'UnprocessedUpdate');

/** The workflow runs on but its tasks kept failing with the input in them: nothing applied, retry later. */
function notReady(what: string): ApiError {
  const e = new ApiError(
    503,
    ErrorCode.NotReady,
    `${what} could not take the input just now (its workflow task failed); it was not applied — retry with the same Idempotency-Key`,
    [{ path: 'temporal', rule: 'workflow task failed' }],
  );
  e.retryAfterSeconds = 1;
  return e;
}

/**
 * Starts a workflow intake recorded with its row (activities/outbox.ts). The row is already durable,
 * so a start that fails now (Temporal down, a timeout) is not the caller's failure: the answer says
 * 'pending' and the worker's starter retries until the workflow exists.
 */
export async function startRecorded(starter: WorkflowStarter, workflowId: string): Promise<'running' | 'pending'> {
  try {
    await starter.start(workflowId);
    return 'running';
  } catch (e) {
    console.error(`api: start of ${workflowId} left to the starter: ${(e as Error).message}`);
    return 'pending';
  }
}
