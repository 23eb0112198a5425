/**
 * A workflow task that times out after its projection sends were written is retried by a copy of the
 * run rebuilt from history, which numbers its sends as the refused attempt did. Under load (bench
 * measurement 7 of 12-05) the retry's whole send was dropped as older than the attempt's later one,
 * and its next send — carrying an input that came meanwhile — marked the projection stale ("stored
 * send N with other content"): every read of that cycle then asked its workflow, behind the worker's
 * backlog. Here the worker's projection writes go through a pool that holds one write past the task's
 * timeout, while a second input arrives. Until the retry writes, the refused attempt's state is not the
 * cycle's either: the worker marks it stale when it hears the refusal (an outside attack read holds that
 * were not on the record yet, and versions going back).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readProjection } from '../../api/queries/cycles.js';
import type { CycleState } from '../../domain/cycle.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { CYCLE_STATE_ARRAYS } from '../../domain/projection.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { createHuanjieWorker } from '../../worker/worker.js';
import * as CW from '../../workflows/contracts/cycle.js';
import { cycleWorkflow } from '../../workflows/cycle.js';
import { cycleWorkflowInput, eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

/** `pool`, but after `hold([ms…], id)` the next projection writes of workflow `id` wait that long each. */
function holdingPool(pool: Pool) {
  let holds: number[] = [];
  let holdId = '';
  const held = new Proxy(pool, {
    get(target, prop) {
      if (prop !== 'connect') {
        // The pool's own methods on the pool itself (pool.query connects by callback, which this proxy's
        // connect does not take).
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      }
      return async () => {
        const client = await target.connect();
        return new Proxy(client, {
          get(c, p) {
            const value = Reflect.get(c, p, c) as unknown;
            if (p !== 'query') return typeof value === 'function' ? (value as () => unknown).bind(c) : value;
            return async (config: QueryConfig, ...rest: unknown[]) => {
              const ms =
                config.name === 'projection-header' && config.values?.[0] === holdId ? holds.shift() : undefined;
              if (ms) await new Promise((r) => setTimeout(r, ms));
              return (c.query as (...a: unknown[]) => Promise<unknown>).call(c, config, ...rest);
            };
          },
        });
      };
    },
  });
  return {
    pool: held,
    hold: (ms: number[], workflowId: string) => {
      holds = [...ms];
      holdId = workflowId;
    },
  };
}

describe('a workflow task that times out after its projection was written', () => {
  it("leaves the retry's projection usable and current, with the input that came meanwhile", async () => {
    const term = String(3100 + Math.floor(Math.random() * 300));
    const cycleId = `440310:${term}`;
    const workflowId = cycleWorkflowId(cycleId);
    const taskQueue = `projection-retry-${randomUUID()}`;
    const actor = { id: 'organizer-test', role: 'organizer' };
    const writes = holdingPool(stack.pool);
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (line: string, ...rest: unknown[]) => {
      if (String(line).includes(workflowId)) warned.push(String(line));
      else warn(line, ...rest);
    };
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    try {
      const worker = await createHuanjieWorker({
        connection,
        namespace: inject('namespace'),
        taskQueue,
        pool: stack.pool,
        projectionPool: writes.pool,
        codecKeys: parseCodecKeys(inject('codecKeys')),
        temporal: stack.client,
        workflowBundlePath: inject('workflowBundlePath'),
      });
      await worker.runUntil(async () => {
        const handle = await stack.client.workflow.start(cycleWorkflow, {
          workflowId,
          taskQueue,
          // The task's timeout is what the held write outlasts (10 s by default; a worker behind by
          // that much under load).
          workflowTaskTimeout: '1s',
          args: [cycleWorkflowInput(cycleId, { id: '440310', name: '坪山区' }, actor)],
        });
        const input = <T>(def: CW.StageUpdate<T>, body: T) =>
          handle.executeUpdate(def, { args: [body, actor], updateId: randomUUID() });
        const projected = () => readProjection<CycleState>(stack.pool, workflowId, CYCLE_STATE_ARRAYS);
        // The start's own tasks done (its record, the supervision child), so the held write is the launch's.
        await eventually(async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const last = events.at(-1);
          return (
            events.some((e) => e.childWorkflowExecutionStartedEventAttributes) &&
            !last?.workflowTaskScheduledEventAttributes &&
            !last?.workflowTaskStartedEventAttributes &&
            (await projected())
          );
        });

        // The launch's first projection write is held 2.5 s: its task times out, and a hold is placed
        // meanwhile, so the retry's state differs from what the refused attempt wrote. The retry's own
        // first write is held 0.4 s (under the timeout): meanwhile the refused attempt's state must not be
        // read as the cycle's (marked stale, reads ask the workflow).
        writes.hold([2_500, 400], workflowId);
        const launched = input(CW.recordLaunchUpdate, S.launch);
        await new Promise((r) => setTimeout(r, 400));
        const held = input(CW.addHoldUpdate, {
          name: 'retry-test',
          reason: '测试：重试期间的输入',
          source: 'organizer',
        });
        let answered = false;
        const both = Promise.all([launched, held]).finally(() => void (answered = true));
        let withdrawn = false;
        while (!answered) {
          withdrawn ||= (await projected())?.stale === true;
          await new Promise((r) => setTimeout(r, 20));
        }
        await both;
        expect(withdrawn).toBe(true);

        const events = (await handle.fetchHistory()).events ?? [];
        expect(events.some((e) => e.workflowTaskTimedOutEventAttributes)).toBe(true);
        const live = await handle.query(CW.getStateQuery);
        expect(live.holds.map((h) => h.name)).toContain('retry-test');
        // Withdrawn (said so), never marked stale by a send; the whole send it asked for repairs it.
        expect(warned.filter((line) => !line.includes('withdrawn: its task was refused'))).toEqual([]);
        const stored = await eventually(async () => {
          const p = await projected();
          return p?.stale === false && p;
        });
        expect(stored).toEqual({ stale: false, state: JSON.parse(JSON.stringify(live)) as unknown });

        await input(CW.abortUpdate, { reason: '测试结束' });
      });
    } finally {
      console.warn = warn;
      await connection.close();
    }
  });
});
