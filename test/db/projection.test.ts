/**
 * The projection sink's writes (activities/projection.ts) on real PostgreSQL: a delta that follows
 * the stored send applies, a gap marks the projection stale, a whole send repairs it, and a send a
 * failed workflow task's attempt already wrote — sent again, whole, by the retry — leaves it usable;
 * the same send written twice changes nothing; an older send never overwrites a newer one.
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

const read = (id: string) => readProjection<Record<string, unknown>>(pool, id, []);
const seqOf = async (id: string) =>
  (await pool.query('SELECT seq FROM workflow_projections WHERE workflow_id = $1', [id])).rows[0]?.seq;

describe('projection writes', () => {
  it('apply in order, go stale on a gap, and come back whole; a repeated send stays usable, an older one is spent', async () => {
    const id = `projection-test:${randomUUID()}`;
    const run = randomUUID();
    await writeProjection(pool, id, run, {
      seq: 1,
      full: true,
      upserts: [
        ['a', '1'],
        ['b', '"x"'],
      ],
      deletes: [],
    });
    await writeProjection(pool, id, run, { seq: 2, full: false, upserts: [['a', '2']], deletes: ['b'] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });

    // A failed task's attempt wrote seq 3; the retry, after its replay, sends seq 3 again, whole.
    await writeProjection(pool, id, run, { seq: 3, full: false, upserts: [['c', 'true']], deletes: [] });
    await writeProjection(pool, id, run, {
      seq: 3,
      full: true,
      upserts: [
        ['a', '2'],
        ['d', '4'],
      ],
      deletes: [],
    });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, d: 4 } });

    // An older send arriving late changes nothing.
    await writeProjection(pool, id, run, { seq: 2, full: true, upserts: [['a', '0']], deletes: [] });
    expect(await seqOf(id)).toBe(3);
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, d: 4 } });

    // The stored send written again (the sink's retry of a commit it did not hear) changes nothing;
    // one of that number with other content is a failed attempt's, and marks the projection stale.
    await writeProjection(pool, id, run, { seq: 4, full: false, upserts: [['e', '1']], deletes: ['d'] });
    await writeProjection(pool, id, run, { seq: 4, full: false, upserts: [['e', '1']], deletes: ['d'] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2, e: 1 } });
    const other = await writeProjection(pool, id, run, { seq: 4, full: false, upserts: [['e', '2']], deletes: [] });
    expect(other.gap).toBe('stored send 4 with other content, this send 4–4');
    expect(await read(id)).toEqual({ stale: true });
    await writeProjection(pool, id, run, { seq: 5, full: true, upserts: [['a', '2']], deletes: [] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });
    await writeProjection(pool, id, run, { seq: 5, full: true, upserts: [['a', '2']], deletes: [] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 2 } });

    // A lost send (7 follows 5): stale until a whole send.
    await writeProjection(pool, id, run, { seq: 7, full: false, upserts: [['a', '5']], deletes: [] });
    expect(await read(id)).toEqual({ stale: true });
    await writeProjection(pool, id, run, { seq: 8, full: true, upserts: [['a', '6']], deletes: [] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 6 } });
  });
});

describe('the projection sink', () => {
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
      const send = (w: ProjectionWrite) => sink.fn(info, w);

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
