/**
 * The tree at a province's size: ~30,000 villages. Every edit checks the whole tree for rows cut off
 * from a root (moved under their own descendant); that check once compared each row with every row
 * reachable from a root (NOT IN over the recursive walk, not hashable at this size), and a one-row
 * rename took over a minute under the table lock — every other tree edit waiting behind it. Its plan
 * must stay linear: one anti-join, no per-row subplan. Times live in the benchmark, not here.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJurisdictionActivities, ROWS_OFF_THE_TREE } from '../../activities/jurisdictions.js';
import { APP_ROLE, createPool, type Pool } from '../../activities/db.js';
import { createThrowawayDatabase } from '../../scripts/throwaway.js';

let database: Awaited<ReturnType<typeof createThrowawayDatabase>>;
let pool: Pool;
const operator = { id: 'test', role: 'operator' } as const;
const VILLAGES = 30_000;

beforeAll(async () => {
  database = await createThrowawayDatabase(inject('adminDatabaseUrl'), 'huanjie_tree');
  pool = createPool(database.url, { max: 2, role: APP_ROLE });
  const tree = createJurisdictionActivities({ pool });
  await tree.upsertJurisdictions(
    [
      { id: '440000', name: '省', level: 'province', parentId: null },
      { id: '440300', name: '市', level: 'city', parentId: '440000' },
      { id: '440306', name: '区', level: 'county', parentId: '440300' },
      { id: '440306004', name: '街道', level: 'township', parentId: '440306' },
    ],
    operator,
    'tree:0',
    'operator',
  );
  // As an operator loads a province: villages in batches.
  for (let from = 0; from < VILLAGES; from += 10_000)
    await tree.upsertJurisdictions(
      Array.from({ length: 10_000 }, (_, i) => ({
        id: `440306004V${from + i}`,
        name: `村${from + i}`,
        level: 'village' as const,
        parentId: '440306004',
      })),
      operator,
      `tree:${from}`,
      'operator',
    );
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('a tree of 30,000 villages', () => {
  it('checks for rows cut off from a root with one anti-join, not a subplan per row', async () => {
    await pool.query('ANALYZE jurisdictions');
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ROWS_OFF_THE_TREE}`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Anti Join/);
    expect(plan).not.toMatch(/SubPlan/);
  });

  it('still refuses a row moved under its own descendant, and keeps every ancestor list', async () => {
    const tree = createJurisdictionActivities({ pool });
    await expect(
      tree.upsertJurisdictions(
        [{ id: '440306004', name: '街道', level: 'township', parentId: '440306004V7' }],
        operator,
        'tree:loop',
        'operator',
      ),
    ).rejects.toThrow();
    await tree.upsertJurisdictions(
      [{ id: '440306004', name: '福永街道', level: 'township', parentId: '440306' }],
      operator,
      'tree:rename',
      'operator',
    );
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jurisdictions WHERE ancestors = ARRAY['440000', '440300', '440306', '440306004', id]`,
    );
    expect(rows[0]!.n).toBe(VILLAGES);
  });
});
