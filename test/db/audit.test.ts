import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { appendAudit, appendAuditEvents, verifyAuditChain, verifyAuditChainShared } from '../../activities/audit.js';
import { APP_ROLE, createPool, withTransaction, type Pool } from '../../activities/db.js';
import type { AuditEvent } from '../../domain/events.js';
import { migrate } from '../../scripts/migrate.js';
import { createThrowawayDatabase } from '../../scripts/throwaway.js';

// A database of this file's own: the tamper test breaks the chain on purpose.
let database: Awaited<ReturnType<typeof createThrowawayDatabase>>;
let pool: Pool;

const event = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  key: `test#${randomUUID()}`,
  at: Date.parse('2026-10-01T08:00:00.123Z'),
  actor: { id: '组织部-李明', role: 'organizer', requestId: 'r-1' },
  subjectType: 'cycle',
  subjectId: '440306:2026',
  cycleId: '440306:2026',
  jurisdictionId: '440306',
  action,
  after: { stage: 'launch', 说明: '宝安区换届启动' },
  detail: { nested: { b: 2, a: [1, '二', null] } },
  ...extra,
});

beforeAll(async () => {
  database = await createThrowawayDatabase(inject('adminDatabaseUrl'), 'huanjie_audit');
  pool = createPool(database.url);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('migrations', () => {
  it('create the tables, record themselves, and are idempotent', async () => {
    const { rows } = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'audit_events',
        'cycle_people',
        'cycles',
        'jurisdictions',
        'reports',
        'review_tasks',
        'risks',
        'ledger_snapshots',
        'pgmigrations',
      ]),
    );
    const { rows: applied } = await pool.query('SELECT name FROM pgmigrations ORDER BY id');
    // Every file in db/migrations, in timestamp order (read from the folder: branches add their own).
    const files = readdirSync(new URL('../../db/migrations/', import.meta.url))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect(files[0]).toBe('1700000000000_foundation');
    expect(files).toContain('1700000006000_people_version');
    expect(applied.map((m) => m.name)).toEqual(files);
    expect(await migrate(database.url)).toEqual([]);
  });
});

describe('audit trail', () => {
  it('chains rows, keeps Chinese text intact, and ignores a replayed key', async () => {
    const first = event('cycle.started');
    await withTransaction(pool, (c) => appendAudit(c, first));
    await withTransaction(pool, (c) => appendAudit(c, first));
    await withTransaction(pool, (c) => appendAudit(c, event('stage.entered')));
    const { rows } = await pool.query('SELECT idem_key, actor, after, prev_hash, hash FROM audit_events ORDER BY id');
    expect(rows).toHaveLength(2);
    expect(rows[0].actor).toBe('组织部-李明');
    expect(rows[0].after.说明).toBe('宝安区换届启动');
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(await verifyAuditChain(pool)).toEqual({ ok: true, rows: 2 });
  });

  it('keeps the chain linear under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => withTransaction(pool, (c) => appendAudit(c, event(`concurrent.${i}`)))),
    );
    const report = await verifyAuditChain(pool);
    expect(report).toEqual({ ok: true, rows: 22 });
  });

  it('senders racing with the same events append each once, in order, each taking the chain lock once', async () => {
    // Every sender of a candidate's inputs writes the acts its answer carries; inputs answered together
    // carry the same acts, and their senders race to append them.
    const shared = Array.from({ length: 8 }, (_, i) => event(`shared.${i}`));
    const locks: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, w) =>
        withTransaction(pool, async (c) => {
          let taken = 0;
          const counting = new Proxy(c, {
            get(target, k) {
              if (k === 'query')
                return (q: string | { text: string }, ...rest: unknown[]) => {
                  if (/pg_advisory_xact_lock/.test(typeof q === 'string' ? q : q.text)) taken++;
                  return (target.query as (...a: unknown[]) => unknown)(q, ...rest);
                };
              const v: unknown = Reflect.get(target, k);
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
            },
          });
          // The first event twice: an answer may carry an act its earlier acts carried too.
          await appendAuditEvents(counting, [...shared, shared[0]!, event(`own.${w}`)]);
          locks.push(taken);
        }),
      ),
    );
    const { rows } = await pool.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE action LIKE 'shared.%' OR action LIKE 'own.%' ORDER BY id`,
    );
    expect(rows.filter((r) => r.action.startsWith('shared.')).map((r) => r.action)).toEqual(
      shared.map((e) => e.action),
    );
    expect(rows.filter((r) => r.action.startsWith('own.'))).toHaveLength(10);
    expect((await verifyAuditChain(pool)).ok).toBe(true);
    expect(locks).toEqual(Array.from({ length: 10 }, () => 1));
  });

  it("the application's role may append but never UPDATE, DELETE or TRUNCATE, nor switch the triggers off", async () => {
    const app = createPool(database.url, { max: 1, role: APP_ROLE });
    try {
      await withTransaction(app, (c) => appendAudit(c, event('as.app')));
      await expect(app.query(`UPDATE audit_events SET action = 'x' WHERE id = 1`)).rejects.toThrow(/permission denied/);
      await expect(app.query('DELETE FROM audit_events WHERE id = 1')).rejects.toThrow(/permission denied/);
      await expect(app.query('TRUNCATE audit_events')).rejects.toThrow(/permission denied/);
      await expect(app.query('SET session_replication_role = replica')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself, for every role', async () => {
    await expect(pool.query(`UPDATE audit_events SET action = 'x' WHERE id = 1`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(pool.query('DELETE FROM audit_events WHERE id = 1')).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE refused/);
  });

  it('a walk lets other work run between the rows it hashes; sixty callers at once share two walks', async () => {
    // Enough rows for several turns of the event loop inside one batch of the walk (5,000 rows).
    await withTransaction(pool, async (c) => {
      for (let i = 0; i < 1_000; i++) await appendAudit(c, event(`bulk.${i}`));
    });
    // Turns of the event loop, counted while the walks run.
    let turns = 0;
    let walking = true;
    const count = () => {
      turns++;
      if (walking) setImmediate(count);
    };
    setImmediate(count);
    // The walk's queries, and the turns taken between a batch's arrival and the next query: the hashing.
    let walkQueries = 0;
    let turnsAtBatch: number | undefined;
    const turnsWhileHashing: number[] = [];
    const counting = new Proxy(pool, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return async (text: unknown, ...rest: unknown[]) => {
          const walk = typeof text === 'string' && text.includes('FROM audit_events WHERE id > $1');
          if (!walk) return (target.query as (...a: unknown[]) => unknown)(text, ...rest);
          walkQueries++;
          if (turnsAtBatch !== undefined) turnsWhileHashing.push(turns - turnsAtBatch);
          const result = await (target.query as (...a: unknown[]) => Promise<{ rows: unknown[] }>)(text, ...rest);
          turnsAtBatch = result.rows.length > 0 ? turns : undefined;
          return result;
        };
      },
    });
    const reports = await Promise.all(Array.from({ length: 60 }, () => verifyAuditChainShared(counting)));
    walking = false;
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM audit_events');
    for (const r of reports) expect(r).toEqual({ ok: true, rows: rows[0].n });
    // A walk is a query for its one batch and one that finds no more: the first caller's walk and the
    // one the other 59 share.
    expect(walkQueries).toBe(4);
    // 1,000+ rows hashed 200 to a turn.
    expect(turnsWhileHashing).toHaveLength(2);
    for (const t of turnsWhileHashing) expect(t).toBeGreaterThanOrEqual(5);
  });

  it('names the first row a superuser altered behind the triggers', async () => {
    const { rows } = await pool.query(`SELECT id::text FROM audit_events ORDER BY id OFFSET 4 LIMIT 1`);
    const tampered = rows[0].id as string;
    const client = await pool.connect();
    try {
      await client.query(`SET session_replication_role = replica`); // superuser only: skips the triggers
      await client.query(`UPDATE audit_events SET detail = '{"forged": true}' WHERE id = $1`, [tampered]);
      await client.query(`SET session_replication_role = origin`);
    } finally {
      client.release();
    }
    const report = await verifyAuditChain(pool);
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toEqual({ id: tampered, reason: expect.stringMatching(/altered/) });
  });
});
