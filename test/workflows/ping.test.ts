import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingWorkflowId } from '../../domain/ids.js';
import { pingWorkflow } from '../../workflows/ping.js';
import { startStack, type Stack } from '../helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('the path through Temporal, a worker and Postgres', () => {
  it('runs a real workflow whose activity queries the real database', async () => {
    const result = await stack.client.workflow.execute(pingWorkflow, {
      workflowId: pingWorkflowId(`test-${Date.now()}`),
      taskQueue: stack.taskQueue,
      args: ['你好，换届'],
    });
    expect(result.echo).toBe('你好，换届');
    expect(Date.parse(result.databaseTime)).toBeGreaterThan(Date.parse('2026-01-01'));
  });
});
