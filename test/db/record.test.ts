/**
 * The cycle read model on real PostgreSQL: records of one cycle reach the database in any order
 * (a cycle writes several at once), yet the cycle row never moves back and every person's row ends
 * at its newest version — including people carried only by a record that arrived late.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Pool } from '../../activities/db.js';
import { createRecordActivities } from '../../activities/record.js';
import * as C from '../../domain/eager/cycle.js';
import type { AuditEvent } from '../../domain/events.js';
import { policySchema } from '../../domain/eager/policy.js';
import { createThrowawayDatabase } from '../../scripts/throwaway.js';

let database: Awaited<ReturnType<typeof createThrowawayDatabase>>;
let pool: Pool;
let record: ReturnType<typeof createRecordActivities>['recordCycleEvent'];

const CYCLE_ID = '440306:2026';
const jurisdiction = { id: '440306', name: '宝安区', level: 'county' as const, parentId: null };
const state = C.initialCycleState(
  CYCLE_ID,
  {
    term: '2026',
    positions: [{ id: 'deputy', title: '副区长', seats: 2 }],
    committees: { standing: 11, full: 31 },
    policy: policySchema.parse({}),
  },
  jurisdiction,
  Date.parse('2026-03-01T00:00:00Z'),
);

const event = (action: string): AuditEvent => ({
  key: `cycle:${CYCLE_ID}#${randomUUID()}`,
  at: Date.now(),
  actor: { id: 'system', role: 'system' },
  subjectType: 'cycle',
  subjectId: CYCLE_ID,
  cycleId: CYCLE_ID,
  jurisdictionId: jurisdiction.id,
  action,
});
const rowAt = (version: number, stage: C.CycleState['stage'] = 'inspection') =>
  C.cycleRow({ ...state, version, stage });
const person = (personId: string, candidateStatus: 'inspecting' | 'passed' | 'stopped'): C.PersonRow => ({
  personId,
  name: personId === 'd1' ? '陈静' : '杨磊',
  positionId: 'deputy',
  candidateStatus,
  nomineeStatus: null,
  detail: { rank: 1, votes: 20, concerns: [] },
});
const people = async () =>
  (
    await pool.query(
      `SELECT person_id, candidate_status, version FROM cycle_people WHERE cycle_id = $1 ORDER BY person_id`,
      [CYCLE_ID],
    )
  ).rows;

beforeAll(async () => {
  database = await createThrowawayDatabase(inject('adminDatabaseUrl'), 'huanjie_record');
  pool = createPool(database.url);
  await pool.query(
    `INSERT INTO jurisdictions (id, name, level, parent_id, ancestors) VALUES ($1, $2, $3, NULL, ARRAY[$1])`,
    [jurisdiction.id, jurisdiction.name, jurisdiction.level],
  );
  const activities = createRecordActivities({ pool });
  record = (...args) => activities.recordCycleEvent(...args);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('records of one cycle arriving out of order', () => {
  it('write the people a late record alone carries, without moving the cycle row back', async () => {
    await record(event('candidate.passed'), rowAt(6), [person('d2', 'passed')]);
    await record(event('candidate.passed'), rowAt(5, 'recommendation'), [person('d1', 'passed')]);
    expect(await people()).toEqual([
      { person_id: 'd1', candidate_status: 'passed', version: 5 },
      { person_id: 'd2', candidate_status: 'passed', version: 6 },
    ]);
    const { rows } = await pool.query(`SELECT version, stage FROM cycles WHERE id = $1`, [CYCLE_ID]);
    expect(rows).toEqual([{ version: 6, stage: 'inspection' }]);
  });

  it('never let an older row of a person overwrite a newer one', async () => {
    await record(event('candidate.stopped'), rowAt(8), [person('d1', 'stopped')]);
    await record(event('candidate.opened'), rowAt(7), [person('d1', 'inspecting')]);
    expect((await people()).find((p) => p.person_id === 'd1')).toEqual({
      person_id: 'd1',
      candidate_status: 'stopped',
      version: 8,
    });
  });
});
