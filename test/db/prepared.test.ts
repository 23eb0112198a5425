/**
 * Prepared statements (activities/db.ts `prepared`) on real PostgreSQL: the hot paths' statements are
 * prepared on the connection that ran them, so the server plans each once per connection; a name
 * cannot carry two texts; and they answer as the plain queries did.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendAudit } from '../../activities/audit.js';
import { APP_ROLE, createPool, prepared, withTransaction, type Pool } from '../../activities/db.js';
import { writeProjection } from '../../activities/projection.js';
import { createCandidateQueries } from '../../api/queries/candidates.js';
import { createCycleQueries, readProjection } from '../../api/queries/cycles.js';
import { loadSampleTree } from '../helpers.js';

let pool: Pool;
beforeAll(async () => {
  // One connection: what it prepared is what pg_prepared_statements shows.
  pool = createPool(inject('databaseUrl'), { max: 1, role: APP_ROLE });
  await loadSampleTree(pool);
});
afterAll(() => pool?.end());

const preparedHere = async () =>
  (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);

describe('prepared statements', () => {
  it('the projection write, the audit append and the reads are prepared once on their connection', async () => {
    const id = `prepared-test:${randomUUID()}`;
    const run = randomUUID();
    for (const seq of [1, 2])
      await writeProjection(pool, id, run, {
        seq,
        full: seq === 1,
        upserts: [['a', String(seq)]],
        deletes: seq === 2 ? ['b'] : [],
        copy: 3,
        at: 3 + seq,
      });
    await writeProjection(pool, id, run, { seq: 3, full: true, upserts: [['a', '3']], deletes: [], copy: 3, at: 6 });
    expect(await readProjection(pool, id, [])).toEqual({ stale: false, state: { a: 3 } });
    const key = `prepared-test:${randomUUID()}`;
    const event = {
      key,
      at: Date.now(),
      actor: { id: 'organizer-1', role: 'organizer' },
      subjectType: 'cycle',
      subjectId: '440306:2026',
      cycleId: '440306:2026',
      jurisdictionId: '440306',
      action: 'prepared.tested',
      detail: { n: 1 },
    };
    // Twice under one key: the second is a no-op, as before the append was prepared.
    for (let i = 0; i < 2; i++) await withTransaction(pool, (client) => appendAudit(client, event));
    const stored = await pool.query('SELECT count(*)::int AS n FROM audit_events WHERE idem_key = $1', [key]);
    expect(stored.rows[0].n).toBe(1);
    const cycles = createCycleQueries(pool);
    expect(await cycles.within('440300', '440306')).toBe(true);
    expect(await cycles.within('440306', '440300')).toBe(false);
    expect(await cycles.jurisdiction('440306')).toMatchObject({
      id: '440306',
      ancestors: expect.arrayContaining(['440300']),
    });
    expect(await cycles.cycleForReader('440300', '440306:2999', '440306')).toMatchObject({
      inside: true,
      projected: undefined,
    });
    expect(await createCandidateQueries(pool).state('440306:2999', 'nobody')).toBeUndefined();
    expect(await preparedHere()).toEqual(
      expect.arrayContaining([
        'audit-insert-event',
        'audit-keys-and-last',
        'audit-lock-chain',
        'candidate',
        'cycle-for-reader',
        'jurisdiction',
        'projection',
        'projection-delete-parts',
        'projection-header',
        'projection-keep-only',
        'projection-stored',
        'projection-upsert-parts',
        'within',
      ]),
    );
  });

  it('a name takes one text: the same again is the same statement, another text throws', () => {
    const name = `prepared-test-${randomUUID()}`;
    prepared(name, 'SELECT 1');
    expect(prepared(name, 'SELECT 1')([])).toEqual({ name, text: 'SELECT 1', values: [] });
    expect(() => prepared(name, 'SELECT 2')).toThrow(/two texts/);
  });
});
