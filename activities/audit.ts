/**
 * The audit trail's hash chain. Each row's hash is SHA-256 over the previous hash and the row's
 * canonical JSON (keys sorted), so altering, inserting or removing a row breaks every later link.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { canonical } from '../domain/canonical.js';
import type { AuditEvent } from '../domain/events.js';
import { prepared, type Client, type Pool } from './db.js';

export const GENESIS = '0'.repeat(64);
/** One chain, one writer at a time: the advisory lock serializes appends across processes. */
export const CHAIN_LOCK = 0x4a_55_41_4e; // "HUAN"
// The append's three statements, prepared: every one runs under the chain's lock (activities/db.ts).
const LOCK_CHAIN = prepared('audit-lock-chain', 'SELECT pg_advisory_xact_lock($1)');
const KEYS_AND_LAST = prepared(
  'audit-keys-and-last',
  `SELECT ARRAY(SELECT idem_key FROM audit_events WHERE idem_key = ANY($1::text[])) AS taken,
          (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) AS hash`,
);
const INSERT_EVENT = prepared(
  'audit-insert-event',
  `INSERT INTO audit_events (idem_key, at, actor, role, request_id, subject_type, subject_id, cycle_id, jurisdiction_id, action, before, after, detail, prev_hash, hash)
   VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
);

interface ChainedFields {
  idem_key: string;
  at: string;
  actor: string;
  role: string;
  request_id: string | null;
  subject_type: string;
  subject_id: string;
  cycle_id: string | null;
  jurisdiction_id: string | null;
  action: string;
  before: unknown;
  after: unknown;
  detail: unknown;
}

export function rowHash(prevHash: string, fields: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(fields)).digest('hex');
}

const KEYS_TAKEN = prepared('audit-keys-taken', 'SELECT idem_key FROM audit_events WHERE idem_key = ANY($1::text[])');

/**
 * The keys among these already on the chain, read without the chain's lock: a key seen here was
 * committed, so an act whose every event is here was written whole (its rows commit with its events).
 */
export async function keysOnRecord(client: Client, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await client.query<{ idem_key: string }>(KEYS_TAKEN([keys]));
  return new Set(rows.map((r) => r.idem_key));
}

/**
 * Appends events in order inside the caller's transaction, each once. Senders write again every act
 * their answer carries that the workflow has not yet recorded itself — most of them already on the
 * chain — so the keys are looked up together first, and only the missing ones take the chain's lock
 * (an append that finds them all takes none, and serializes nobody).
 *
 * The missing ones are appended under one take of the lock: which of them another writer appended
 * meanwhile and the chain's last hash are read once, and each link is made from the one before it
 * here. The lock is held to the commit; taken and checked again for every event (three statements
 * each), senders racing with the same acts spent half their appends finding them there (bench
 * measurement 1: 13,800 takes of the lock for 6,409 events).
 */
export async function appendAuditEvents(client: Client, events: AuditEvent[], taken?: Set<string>): Promise<void> {
  const onRecord =
    taken ??
    (await keysOnRecord(
      client,
      events.map((e) => e.key),
    ));
  const missing = events.filter((e) => !onRecord.has(e.key));
  if (missing.length === 0) return;
  await client.query(LOCK_CHAIN([CHAIN_LOCK]));
  // After the lock, in a statement of its own: its snapshot sees every append committed before it.
  const { rows } = await client.query<{ taken: string[]; hash: string | null }>(
    KEYS_AND_LAST([missing.map((e) => e.key)]),
  );
  const there = new Set(rows[0]!.taken);
  let prev = rows[0]!.hash ?? GENESIS;
  for (const e of missing) {
    // Another writer's, or an earlier one of this list (the same key twice): once on the chain.
    if (there.has(e.key)) continue;
    there.add(e.key);
    prev = await insertEvent(client, e, prev);
  }
}

/** Appends one event inside the caller's transaction; a second append with the same key is a no-op. */
export async function appendAudit(client: Client, e: AuditEvent): Promise<void> {
  await appendAuditEvents(client, [e], new Set());
}

/** Inserts `e` linked to `prev`; its own hash, the next link's `prev`. */
async function insertEvent(client: Client, e: AuditEvent, prev: string): Promise<string> {
  // Round-trip through JSON so the hash covers exactly what jsonb will store.
  const json = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
  const fields: ChainedFields = {
    idem_key: e.key,
    at: new Date(e.at).toISOString(),
    actor: e.actor.id,
    role: e.actor.role,
    request_id: e.actor.requestId ?? null,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    cycle_id: e.cycleId,
    jurisdiction_id: e.jurisdictionId,
    action: e.action,
    before: json(e.before),
    after: json(e.after),
    detail: json(e.detail),
  };
  const hash = rowHash(prev, fields);
  await client.query(
    INSERT_EVENT([
      fields.idem_key,
      fields.at,
      fields.actor,
      fields.role,
      fields.request_id,
      fields.subject_type,
      fields.subject_id,
      fields.cycle_id,
      fields.jurisdiction_id,
      fields.action,
      JSON.stringify(fields.before),
      JSON.stringify(fields.after),
      JSON.stringify(fields.detail),
      prev,
      hash,
    ]),
  );
  return hash;
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  /** The first row whose content or link does not match. */
  brokenAt?: { id: string; reason: string };
}

/**
 * Rows hashed between two turns of the event loop: a walk runs in the API's process, and 5,000 rows
 * hashed at once held every other request for ~0.4 s (found from outside, 60 walks at once: 6 s).
 */
const ROWS_PER_TURN = 200;

/** Walks the whole chain in id order and names the first row that does not verify. */
export async function verifyAuditChain(pool: Pool): Promise<ChainReport> {
  let prev = GENESIS;
  let rows = 0;
  let after = '0';
  for (;;) {
    const { rows: batch } = await pool.query(
      `SELECT id::text, idem_key, at, actor, role, request_id, subject_type, subject_id, cycle_id, jurisdiction_id, action, before, after, detail, prev_hash, hash
       FROM audit_events WHERE id > $1 ORDER BY audit_events.id LIMIT 5000`,
      [after],
    );
    if (batch.length === 0) return { ok: true, rows };
    for (const r of batch) {
      if (r.prev_hash !== prev)
        return {
          ok: false,
          rows,
          brokenAt: { id: r.id, reason: 'prev_hash does not match the previous row (a row was removed or inserted)' },
        };
      const fields: ChainedFields = {
        idem_key: r.idem_key,
        at: (r.at as Date).toISOString(),
        actor: r.actor,
        role: r.role,
        request_id: r.request_id,
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        cycle_id: r.cycle_id,
        jurisdiction_id: r.jurisdiction_id,
        action: r.action,
        before: r.before,
        after: r.after,
        detail: r.detail,
      };
      if (rowHash(prev, fields) !== r.hash)
        return {
          ok: false,
          rows,
          brokenAt: { id: r.id, reason: 'content does not match its hash (the row was altered)' },
        };
      prev = r.hash;
      rows++;
      after = r.id;
      if (rows % ROWS_PER_TURN === 0) await nextTurn();
    }
  }
}

const walks = new WeakMap<Pool, { running?: Promise<ChainReport>; next?: Promise<ChainReport> }>();

/**
 * The chain's report with at most one walk of it at a time per pool: a caller who arrives while a walk
 * runs shares the next one (begun after it, so it sees every row written before the caller asked), and
 * so do all who arrive until that one begins. Sixty at once cost two walks, not sixty.
 */
export function verifyAuditChainShared(pool: Pool): Promise<ChainReport> {
  let w = walks.get(pool);
  if (!w) walks.set(pool, (w = {}));
  const state = w;
  const begin = (): Promise<ChainReport> =>
    (state.running = verifyAuditChain(pool).finally(() => {
      state.running = undefined;
    }));
  if (!state.running) return begin();
  state.next ??= state.running
    .catch(() => undefined)
    .then(() => {
      state.next = undefined;
      return begin();
    });
  return state.next;
}
