/**
 * An input that meets its cycle as it winds down after an abort. Temporal answers such an Update in
 * several ways (not found, aborted by the closing workflow, or — when the workflow tried to complete
 * with the Update waiting — a failed workflow task, WorkflowNotReady); whichever it is, the caller
 * hears 409 CLOSED saying the cycle was aborted, never a 500 (CI once saw one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickTemplate } from '../../scripts/simulator.js';
import { loadSampleTree, provisionTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { ok, read, type ApiClient } from './client.js';

const CYCLES = 6;
/** When each of a cycle's late inputs leaves, in ms after its abort: across the whole wind-down. */
const SENT_AFTER_MS = [0, 5, 10, 20, 40, 80, 120, 200];

let stack: Stack;
let organizer: ApiClient;

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  await provisionTree(
    stack.pool,
    Array.from({ length: CYCLES }, (_, i) => ({
      id: `WD-${i}`,
      name: `收尾${i}区`,
      level: 'county' as const,
      parentId: '440300',
    })),
  );
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部'));
});
afterAll(() => stack?.stop());

describe('inputs sent while an aborted cycle winds down', () => {
  it('are each refused 409 CLOSED, saying it was aborted, or taken before the abort — never a 500', async () => {
    const answers: { status: number; code?: string; message?: string }[] = [];
    for (let k = 0; k < CYCLES; k++) {
      const param = { cycleId: `WD-${k}:2032` };
      const cycle = organizer.v1.cycles[':cycleId'];
      const { policy } = quickTemplate(0.2);
      const started = await read(organizer.v1.cycles.$post({ json: { ...S.startBody(`WD-${k}`, '2032'), policy } }));
      expect(started.status).toBe(201);
      await ok(cycle.launch.$post({ param, json: S.launch, header: {} }));
      const aborted = read(cycle.abort.$post({ param, json: { reason: '区划调整' }, header: {} }));
      const late = SENT_AFTER_MS.map((ms) =>
        new Promise((r) => setTimeout(r, ms)).then(() =>
          read(cycle.analysis.$post({ param, json: S.analysis, header: {} })),
        ),
      );
      expect((await aborted).status).toBe(200);
      for (const a of await Promise.all(late)) {
        const error = (a.body as { error?: { code: string; message: string } }).error;
        answers.push({ status: a.status, code: error?.code, message: error?.message });
      }
    }
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    // One analysis may be taken before the abort; a second is a duplicate; the rest meet the abort.
    for (const a of answers) expect([200, 409]).toContain(a.status);
    const closed = answers.filter((a) => a.code === 'CLOSED');
    expect(closed.length).toBeGreaterThan(answers.length / 2);
    for (const a of closed) expect(a.message).toContain('was aborted (区划调整)');
  });
});
