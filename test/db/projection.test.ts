/**
 * The projection sink's writes (activities/projection.ts) on real PostgreSQL: a delta that follows
 * the stored send applies, a gap marks the projection stale, a whole send repairs it, and a send a
 * failed workflow task's attempt already wrote — sent again, whole, by the retry — leaves it usable;
 * the same send written twice changes nothing; an older send never overwrites a newer one; a retry's
 * copy of the run, numbering its sends as the refused attempt did, replaces what that attempt wrote.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { createProjectionSinks, writeProjection } from '../../activities/projection.js';
import { readProjection } from '../../api/queries/cycles.js';
import type { ProjectionWrite } from '../../workflows/contracts/projection.js';
import { cuttableProxy } from '../proxy.js';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), { max: 2, role: APP_ROLE });
});
afterAll(() => pool?.end());

type Send = Omit<ProjectionWrite, 'copy' | 'at'>;
/** A send of one copy of the run (the one first live at history length `copy`), at history length `at`. */
const of = (copy: number, w: Send, at = copy + w.seq): ProjectionWrite => ({ ...w, copy, at });

const read = (id: string) => readProjection<Record<string, unknown>>(pool, id, []);
const seqOf = async (id: string) =>
  (await pool.query('SELECT seq FROM workflow_projections WHERE workflow_id = $1', [id])).rows[0]?.seq;

describe('projection writes', () => {
  it('apply in order, go stale on a gap, and come back whole; a repeated send stays usable, an older one is spent', async () => {
    const id = `projection-test:${randomUUID()}`;
    const run = randomUUID();
    await writeProjection(
      pool,
      id,
      run,
      of(3, {
        seq: 1,
        full: true,
        upserts: [
          ['a', '1'],
          ['b', '"x"'],
        ],
        deletes: [],
      }),
    );
    await writeProjection(pool, id, run, of(3, { seq: 2, full: false, upserts: [['a', '2']], deletes: ['b'] }));
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });

    // A failed task's attempt wrote seq 3; the retry (a copy rebuilt from history, first live at 20)
    // sends seq 3 again, whole.
    await writeProjection(pool, id, run, of(3, { seq: 3, full: false, upserts: [['c', 'true']], deletes: [] }));
    await writeProjection(
      pool,
      id,
      run,
      of(20, {
        seq: 3,
        full: true,
        upserts: [
          ['a', '2'],
          ['d', '4'],
        ],
        deletes: [],
      }),
    );
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, d: 4 } });

    // An older send arriving late changes nothing: of this copy, or of the copy before it.
    await writeProjection(pool, id, run, of(20, { seq: 2, full: true, upserts: [['a', '0']], deletes: [] }));
    await writeProjection(pool, id, run, of(3, { seq: 4, full: true, upserts: [['a', '0']], deletes: [] }));
    expect(await seqOf(id)).toBe(3);
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, d: 4 } });

    // The stored send written again (the sink's retry of a commit it did not hear) changes nothing;
    // one of that number and copy with other content is a lost send's stand-in, and marks it stale.
    const next = of(20, { seq: 4, full: false, upserts: [['e', '1']], deletes: ['d'] });
    await writeProjection(pool, id, run, next);
    await writeProjection(pool, id, run, next);
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, e: 1 } });
    const other = await writeProjection(
      pool,
      id,
      run,
      of(20, { seq: 4, full: false, upserts: [['e', '2']], deletes: [] }),
    );
    expect(other.gap).toBe('stored send 4 with other content, this send 4–4');
    expect(await read(id)).toMatchObject({ stale: true });
    await writeProjection(pool, id, run, of(20, { seq: 5, full: true, upserts: [['a', '2']], deletes: [] }));
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });
    await writeProjection(pool, id, run, of(20, { seq: 5, full: true, upserts: [['a', '2']], deletes: [] }));
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });

    // A lost send (7 follows 5): stale until a whole send.
    await writeProjection(pool, id, run, of(20, { seq: 7, full: false, upserts: [['a', '5']], deletes: [] }));
    expect(await read(id)).toMatchObject({ stale: true });
    await writeProjection(pool, id, run, of(20, { seq: 8, full: true, upserts: [['a', '6']], deletes: [] }));
    expect(await read(id)).toEqual({ stale: false, state: { a: 6 } });
  });

  // Measurement 7 of 12-05 (and test/workflows/projection-retry.test.ts): a workflow task timed out
  // after its two sends were written; the retry's copy numbered its sends as the refused one had, so its
  // whole send (4) was dropped as older than the stored 5, and its 5 — with an input that came meanwhile —
  // marked the projection stale.
  it("take a retry's whole send over the refused attempt's later-numbered ones, and its deltas after it", async () => {
    const id = `projection-test:${randomUUID()}`;
    const run = randomUUID();
    await writeProjection(pool, id, run, of(3, { seq: 3, full: true, upserts: [['a', '1']], deletes: [] }, 10));
    // The refused attempt (history length 20): two sends.
    await writeProjection(pool, id, run, of(3, { seq: 4, full: false, upserts: [['a', '2']], deletes: [] }, 20));
    await writeProjection(pool, id, run, of(3, { seq: 5, full: false, upserts: [['b', '1']], deletes: [] }, 20));
    // The retry (history length 26, with a second input): its whole 4, then its 5.
    await writeProjection(pool, id, run, of(26, { seq: 4, full: true, upserts: [['a', '2']], deletes: [] }, 26));
    const fifth = await writeProjection(
      pool,
      id,
      run,
      of(26, { seq: 5, full: false, upserts: [['c', '1']], deletes: [] }, 26),
    );
    expect(fifth).toEqual({ stale: false });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, c: 1 } });
    // The refused copy's send written late is spent.
    await writeProjection(pool, id, run, of(3, { seq: 6, full: false, upserts: [['b', '2']], deletes: [] }, 21));
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, c: 1 } });
    // A later copy's delta without its whole send before it cannot be applied: stale, and said so.
    const unfollowed = await writeProjection(
      pool,
      id,
      run,
      of(40, { seq: 7, full: false, upserts: [['a', '3']], deletes: [] }, 40),
    );
    expect(unfollowed.gap).toBe('stored send 5 of another copy, this send 7–7');
    expect(await read(id)).toMatchObject({ stale: true });
  });
});

describe('the projection sink', () => {
  // A stale projection is repaired by a whole send, which the sink asks the run for: never twice within a
  // second, but a stale mark within that second is not dropped (it was: a whole send that brought no
  // repair — another copy's, from earlier in the history — left it stale until the run's next input,
  // whose check reads it first), and an ask that failed is made again.
  it('asks again for a whole send while the projection stays stale: after a second, and after a failed ask', async () => {
    const asks: number[] = [];
    let failNext = false;
    const { projection } = createProjectionSinks({
      pool,
      askWhole: async () => {
        asks.push(Date.now());
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('unavailable'), { code: 'UNAVAILABLE' });
        }
      },
    });
    const id = `projection-test:${randomUUID()}`;
    const info = { workflowId: id, runId: randomUUID(), historyLength: 0 } as Parameters<typeof projection.write.fn>[0];
    const send = (copy: number, w: Send, at: number) => projection.write.fn(info, of(copy, w, at));
    const asked = async (n: number) => {
      for (let waited = 0; asks.length < n && waited < 10_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      return asks.length;
    };
    const errors: string[] = [];
    const logged = { warn: console.warn, error: console.error };
    console.warn = () => undefined;
    console.error = (line: string) => void errors.push(line);
    try {
      await send(3, { seq: 1, full: true, upserts: [['a', '1']], deletes: [] }, 10);
      // A send lost before this one: stale, and the run is asked.
      await send(3, { seq: 3, full: false, upserts: [['a', '3']], deletes: [] }, 20);
      expect(asks).toHaveLength(1);
      // Within the second, another copy's whole send from earlier in the history is not taken: still stale.
      await send(15, { seq: 3, full: true, upserts: [['a', '2']], deletes: [] }, 15);
      expect(await read(id)).toMatchObject({ stale: true });
      expect(asks).toHaveLength(1);
      // So the run is asked again once the second is over, and a failed ask is made again too.
      failNext = true;
      expect(await asked(3)).toBe(3);
      // Not sooner than a second, as Date.now() sees it: a timer runs on another clock, and fired at 999 ms once.
      expect(asks[1]! - asks[0]!).toBeGreaterThanOrEqual(990);
      expect(errors.join('\n')).toMatch(/asking for a whole send failed: UNAVAILABLE/);
      // A whole send repairs it; no ask comes after.
      await send(30, { seq: 4, full: true, upserts: [['a', '4']], deletes: [] }, 30);
      expect(await read(id)).toEqual({ stale: false, state: { a: 4 } });
      const after = asks.length;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(asks).toHaveLength(after);
    } finally {
      Object.assign(console, logged);
    }
  });

  // A write the database could not take (an outage, a pool too busy to hand out a connection within
  // the workflow task) is not dropped: the sink keeps it and writes it with the run's next send, or on
  // its own a moment later — the projection never goes stale for it, so reads never have to ask the
  // workflow (a replay under load).
  it('carries a write it could not make into the next one, and makes it on its own when none comes', async () => {
    const url = new URL(inject('databaseUrl'));
    const proxy = await cuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = proxy.address;
    const through = createPool(url.toString(), { max: 2, role: APP_ROLE, connectionTimeoutMillis: 1_000 });
    const errors: string[] = [];
    const logged = console.error;
    console.error = (line: string) => void errors.push(line);
    try {
      const sink = createProjectionSinks({ pool: through, retryEveryMs: 200 }).projection.write;
      const id = `projection-test:${randomUUID()}`;
      const info = { workflowId: id, runId: randomUUID() } as Parameters<typeof sink.fn>[0];
      const send = (w: Send) => sink.fn(info, of(3, w));

      await send({
        seq: 1,
        full: true,
        upserts: [
          ['a', '1'],
          ['b', '"x"'],
          ['c', '0'],
        ],
        deletes: [],
      });
      await proxy.stop();
      await send({ seq: 2, full: false, upserts: [['a', '2']], deletes: ['b'] });
      await send({ seq: 3, full: false, upserts: [['b', '"y"']], deletes: ['c'] });
      expect(await read(id)).toEqual({ stale: false, state: { a: 1, b: 'x', c: 0 } });
      await proxy.start();
      // The next send brings both lost ones along.
      await send({ seq: 4, full: false, upserts: [['d', '4']], deletes: [] });
      expect(await read(id)).toEqual({ stale: false, state: { a: 2, b: 'y', d: 4 } });
      expect(await seqOf(id)).toBe(4);

      // A lost send with none after it is written once the database answers again.
      await proxy.stop();
      await send({ seq: 5, full: false, upserts: [['a', '5']], deletes: ['d'] });
      await proxy.start();
      for (let waited = 0; (await seqOf(id)) !== 5 && waited < 30_000; waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      expect(await read(id)).toEqual({ stale: false, state: { a: 5, b: 'y' } });
      expect(await seqOf(id)).toBe(5);
      // What went to the log names the workflow and the code, never a value.
      expect(errors.length).toBeGreaterThan(0);
      for (const line of errors) expect(line).not.toMatch(/"x"|"y"/);
    } finally {
      console.error = logged;
      await through.end();
      await proxy.close();
    }
  });
});
