/**
 * The projection sink's writes (activities/projection.ts) on real PostgreSQL: a delta that follows
 * the stored send applies, a gap marks the projection stale, a whole send repairs it, and a send a
 * failed workflow task's attempt already wrote — sent again, whole, by the retry — leaves it usable;
 * an older send never overwrites a newer one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { writeProjection } from '../../activities/projection.js';
import { readProjection } from '../../api/queries/cycles.js';

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

    // A lost send (5 follows 3): stale until a whole send.
    await writeProjection(pool, id, run, { seq: 5, full: false, upserts: [['a', '5']], deletes: [] });
    expect(await read(id)).toEqual({ stale: true });
    await writeProjection(pool, id, run, { seq: 6, full: true, upserts: [['a', '6']], deletes: [] });
    expect(await read(id)).toEqual({ stale: false, state: { a: 6 } });
  });
});
