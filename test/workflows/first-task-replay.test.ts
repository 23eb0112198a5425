/**
 * A workflow whose first workflow task carries Updates as well as its start (an inspection team or an
 * organizer quick off the mark, or a worker that was down meanwhile) must replay to the same
 * commands. Each act goes on the record through a local activity; acts whose records were under way
 * at once made the order of an Update's completion and the search-attribute write depend on which
 * local activity came back first, so a replay (after eviction) failed with TMPRL1100 and the
 * candidate's inputs got 503 until its history was reset. CI's campaign test saw it once under load.
 * The fix is the patch `records-one-at-a-time` (workflows/record.ts); these histories are its fixtures.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../domain/eager/schemas.js';
import { candidateWorkflowId, cycleWorkflowId } from '../../domain/ids.js';
import { policySchema } from '../../domain/eager/policy.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { dataConverter } from '../../temporal/connection.js';
import { createHuanjieWorker } from '../../worker/worker.js';
import {
  recordInspectionUpdate,
  stopCandidateUpdate,
  submitVerdictUpdate,
} from '../../workflows/contracts/candidate.js';
import { candidateWorkflow } from '../../workflows/candidate.js';
import * as CW from '../../workflows/contracts/cycle.js';
import { cycleWorkflow } from '../../workflows/cycle.js';
import { cycleWorkflowInput, loadSampleTree, recordHistory, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

/**
 * Starts a workflow on a task queue nobody polls yet, sends it `acts` there (so they come in its first
 * workflow task with the start), then lets a worker run it through `rest` and replays its history.
 */
async function firstTaskCarries(
  fixture: string,
  start: (taskQueue: string) => Promise<WorkflowHandle>,
  acts: (h: WorkflowHandle) => Promise<unknown>[],
  rest: (h: WorkflowHandle) => Promise<unknown>,
) {
  const codecKeys = parseCodecKeys(inject('codecKeys'));
  const taskQueue = `late-${randomUUID()}`;
  const handle = await start(taskQueue);
  const sent = acts(handle);
  await new Promise((r) => setTimeout(r, 1500));
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await createHuanjieWorker({
    connection,
    namespace: inject('namespace'),
    taskQueue,
    pool: stack.pool,
    codecKeys,
    temporal: stack.client,
    workflowBundlePath: inject('workflowBundlePath'),
  });
  await worker.runUntil(async () => {
    await Promise.all(sent);
    await rest(handle);
    await handle.result();
  });
  await connection.close();

  // The patch's fixture (README "Replay"): `npm run record:histories` writes it.
  await recordHistory(stack.client, handle.workflowId, fixture);
  const history = await handle.fetchHistory();
  // The Updates came with the start: accepted among the first workflow task's commands.
  const events = history.events!;
  const firstTaskEnd = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
  const secondTask = events.findIndex((e, i) => i > firstTaskEnd && e.workflowTaskScheduledEventAttributes);
  const acceptedInFirst = events
    .slice(firstTaskEnd, secondTask < 0 ? undefined : secondTask)
    .filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  expect(acceptedInFirst.length).toBeGreaterThanOrEqual(2);
  await expect(
    Worker.runReplayHistory(
      {
        workflowBundle: { codePath: inject('workflowBundlePath') },
        dataConverter: dataConverter(codecKeys),
        sinks: { projection: { write: { fn: () => undefined } } },
      },
      history,
      handle.workflowId,
    ),
  ).resolves.toBeUndefined();
}

describe('a workflow whose first workflow task carries Updates replays without a non-determinism error', () => {
  it('a candidate: the inspection record and two verdicts with its start', async () => {
    const cycleId = `440307:${2200 + Math.floor(Math.random() * 700)}`;
    const personId = 'first-task';
    const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
    const actor = { id: '考察组', role: 'inspection' };
    await firstTaskCarries(
      'candidate-first-task-v7',
      (taskQueue) =>
        stack.client.workflow.start(candidateWorkflow, {
          workflowId: candidateWorkflowId(cycleId, personId),
          taskQueue,
          args: [{ cycleId, jurisdictionId: '440307', personId, name: '首任务', positionId: 'deputy', policy }],
        }),
      (h) => [
        h.executeUpdate(recordInspectionUpdate, { args: [S.fullChecklist, actor] }),
        h.executeUpdate(submitVerdictUpdate, { args: [S.clear('audit'), { id: '审计', role: 'reviewer' }] }),
        h.executeUpdate(submitVerdictUpdate, { args: [S.clear('court'), { id: '法院', role: 'reviewer' }] }),
      ],
      (h) => h.executeUpdate(stopCandidateUpdate, { args: [{ reason: '测试结束', cause: 'other' }, actor] }),
    );
  });

  it('a cycle: its launch and a hold with its start, then an abort', async () => {
    const term = String(2200 + Math.floor(Math.random() * 700));
    const cycleId = `440306:${term}`;
    const actor = { id: 'organizer-test', role: 'organizer' };
    const input = (def: UpdateDefinition<CW.InputAccepted, [unknown, Actor]>, body: unknown) => (h: WorkflowHandle) =>
      h.executeUpdate(def, { args: [body, actor], updateId: randomUUID() });
    await firstTaskCarries(
      'cycle-first-task-v7',
      (taskQueue) =>
        stack.client.workflow.start(cycleWorkflow, {
          workflowId: cycleWorkflowId(cycleId),
          taskQueue,
          args: [cycleWorkflowInput(cycleId, { id: '440306', name: '宝安区' }, actor)],
        }),
      (h) => [
        input(CW.recordLaunchUpdate, S.launch)(h),
        input(CW.addHoldUpdate, { name: 'first-task', reason: '测试：与启动同到' })(h),
      ],
      input(CW.abortUpdate, { reason: '测试结束' }),
    );
  });
});
