/**
 * A worker told to stop (SIGTERM, Ctrl-C) cancels its activities; one that waits on another workflow's
 * Update must then stop waiting. Such an Update is answered only by a worker of the same task queue —
 * with one worker, the one shutting down, which polls no more: the wait never ended, and neither did
 * the drain (found in bench measurement 7: a worker's SIGTERM hung for more than ten minutes on
 * candidates' records telling their cycles). Real server, the project's activity and interceptors.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCandidateActivities } from '../../activities/candidates.js';
import { candidateWorkflowId } from '../../domain/ids.js';
import { candidateWorkflowType } from '../../workflows/contracts/candidate.js';
import { activityInterceptors } from '../../worker/worker.js';
import { startStack, type Stack } from '../helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

/** A candidate no worker polls for (an Update to it is admitted and waits), and the activity that waits on it. */
async function waitingOnAnUpdate(terms: number) {
  const cycleId = `440306:${terms + Math.floor(Math.random() * 50)}`;
  const personId = `p-${randomUUID().slice(0, 8)}`;
  await stack.client.workflow.start(candidateWorkflowType, {
    workflowId: candidateWorkflowId(cycleId, personId),
    taskQueue: `nobody-polls-${randomUUID()}`,
    args: [{}],
  });
  const activities = createCandidateActivities({ client: stack.client, pool: stack.pool });
  const env = new MockActivityEnvironment(undefined, {
    interceptors: activityInterceptors({ temporal: stack.client }),
  });
  const run = () =>
    env
      .run((ids: string[]) => activities.cancelCandidateWorkflows(cycleId, ids), [personId])
      .then(
        () => 'answered',
        (e: Error) => `stopped: ${e.name}`,
      );
  const stillWaiting = () => new Promise((r) => setTimeout(() => r('still waiting'), 30_000));
  const done = () => stack.client.workflow.getHandle(candidateWorkflowId(cycleId, personId)).terminate('test done');
  return { env, run, stillWaiting, done };
}

describe('an activity waiting on an Update when its worker stops', () => {
  it('is cancelled and stops waiting, so the drain can end', async () => {
    const { env, run, stillWaiting, done } = await waitingOnAnUpdate(2400);
    const outcome = run();
    // Past the call's start, the worker stops: the SDK cancels its activities.
    await new Promise((r) => setTimeout(r, 1_000));
    env.cancel('WORKER_SHUTDOWN');
    expect(await Promise.race([outcome, stillWaiting()])).toMatch(/^stopped/);
    await done();
  }, 60_000);

  it('cancelled before its call starts, makes the call stop at once', async () => {
    // The connection cancels a call when the signal fires; a call started after it fired (an activity
    // timed out while it wrote the record, then telling its cycle) heard nothing and waited for good:
    // four such activities held a worker's drain for more than ten minutes (bench, 12-05 13:57).
    const { env, run, stillWaiting, done } = await waitingOnAnUpdate(2450);
    env.cancel('TIMED_OUT');
    expect(await Promise.race([run(), stillWaiting()])).toMatch(/^stopped/);
    await done();
  }, 60_000);
});
