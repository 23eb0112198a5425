/**
 * A deadline already come when a workflow starts to wait for it (patch `due-needs-no-timer`): the
 * step is late at once, in the same workflow task — no timer, so no two events and no task of its
 * own per late step — and the run replays.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { policySchema } from '../../domain/eager/policy.js';
import { supervisionWorkflowId } from '../../domain/ids.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { dataConverter } from '../../temporal/connection.js';
import { WU_CHA, type WuCha } from '../../domain/eager/supervision.js';
import { cycleStageSignal, fileCheckpointUpdate } from '../../workflows/contracts/supervision.js';
import { supervisionWorkflow } from '../../workflows/supervision.js';
import { TEST_CODEC_KEYS } from '../keys.js';
import { eventually, loadSampleTree, recordHistory, startStack, type Stack } from '../helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

describe('a deadline already past', () => {
  it('makes a supervision checkpoint overdue and escalated at once, with no timer', async () => {
    const cycleId = `440305:${2400 + Math.floor(Math.random() * 500)}`;
    // A working day of no length: every checkpoint is due, and its escalation point come, as it opens.
    const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 0 } });
    const h = await stack.client.workflow.start(supervisionWorkflow, {
      workflowId: supervisionWorkflowId(cycleId),
      taskQueue: stack.taskQueue,
      args: [{ cycleId, jurisdictionId: '440305', policy }],
    });
    const notified = await eventually(async () => {
      const { rows } = await stack.pool.query<{ subject: string }>(
        `SELECT subject FROM notifications WHERE body = $1 ORDER BY created_at`,
        [`cycle ${cycleId}, checkpoint launch`],
      );
      return rows.length === 2 && rows.map((r) => r.subject);
    });
    expect(notified).toEqual(['督查逾期未报', '督查逾期，提请上级']);
    await h.signal(cycleStageSignal, 'closed');
    // Supervision outlives the cycle until its checkpoint is filed (patch supervision-outlives-the-cycle).
    const checklist = Object.fromEntries(
      Object.keys(WU_CHA).map((k) => [k, { status: 'satisfactory' as const, note: '' }]),
    ) as Record<WuCha, { status: 'satisfactory'; note: string }>;
    await h.executeUpdate(fileCheckpointUpdate, {
      args: [
        { phase: 'launch', checklist, findings: [], riskResponses: [] },
        { id: 'supervisor', role: 'supervisor' },
        'closed',
      ],
    });
    const state = await h.result();
    expect(state.checkpoints[0]).toMatchObject({ phase: 'launch' });
    expect(state.checkpoints[0]!.escalatedAt).toBeGreaterThanOrEqual(state.checkpoints[0]!.overdueAt!);

    await recordHistory(stack.client, h.workflowId, 'supervision-due-v7');
    const history = await h.fetchHistory();
    expect(history.events!.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
    await expect(
      Worker.runReplayHistory(
        {
          workflowBundle: { codePath: inject('workflowBundlePath') },
          dataConverter: dataConverter(parseCodecKeys(TEST_CODEC_KEYS)),
          sinks: { projection: { write: { fn: () => undefined } } },
        },
        history,
        h.workflowId,
      ),
    ).resolves.toBeUndefined();
  });
});
