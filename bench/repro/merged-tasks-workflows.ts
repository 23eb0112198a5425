/**
 * The workflow of the merged-tasks repro (merged-tasks.ts beside it): the shape of the senders-record
 * backstop — an act answered at once, recorded by the workflow itself after a quiet spell.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { askTasksNeverEmpty } from '../../workflows/tasks-never-empty.js';

export const pokeUpdate = defineUpdate<number>('poke');

const { note } = proxyActivities<{ note(n: number): Promise<void> }>({ startToCloseTimeout: '30s' });

export async function victim(neverEmpty: boolean): Promise<void> {
  if (neverEmpty) askTasksNeverEmpty(true);
  let pending = 0;
  setHandler(pokeUpdate, () => ++pending);
  for (;;) {
    await condition(() => pending > 0);
    await sleep(1000);
    if (pending > 0) {
      const n = pending;
      await note(n);
      pending -= n;
    }
  }
}
