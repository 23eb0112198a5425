/**
 * Sends an Update and answers like a person would expect: a workflow that has finished says so
 * (409 CLOSED) instead of looking absent, which is what Temporal reports for a closed execution.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { WorkflowStarter } from '../activities/outbox.js';
import { WorkflowNotFoundError, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';
import { ApiError, notFound } from './errors.js';

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
): Promise<Ret> {
  try {
    return await handle.executeUpdate(update, { args, updateId });
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
    const status = await handle.describe().then(
      (d) => d.status.name,
      () => undefined,
    );
    if (status === undefined) throw notFound(what);
    throw new ApiError(409, ErrorType.Closed, `${what} is ${status.toLowerCase()}; it takes no more input`);
  }
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
