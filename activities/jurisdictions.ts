/**
 * Loads or updates a piece of the administrative tree. Parents come before children (a child's
 * level is always below its parent's), and every row's `ancestors` is recomputed so scope checks
 * stay one lookup even when a subtree moves.
 */
import { DomainError, ErrorType } from '../domain/errors.js';
import { idRule, idUnderParent, idWithin } from '../domain/jurisdiction-ids.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import { JURISDICTION_LEVELS } from '../domain/stages.js';
import { appendAudit } from './audit.js';
import { withTransaction, type Client, type Pool } from './db.js';

const depth = (level: string) => JURISDICTION_LEVELS.indexOf(level as (typeof JURISDICTION_LEVELS)[number]);

/**
 * Who edits the tree: the operator (seed, tests: anything), or a caller with a scope. A caller may
 * only touch rows already inside its scope and keep them inside it; see README "Who may change the
 * tree". `root` is the token's operator-granted right to create the root that is its own scope.
 */
export type TreeAuthority = 'operator' | { scope: string; root: boolean };

/** A refusal of the tree's authority rules: the route answers 404 (out of scope) or 403 and records it. */
export class TreeAuthorityError extends DomainError {
  constructor(
    readonly status: 403 | 404,
    message: string,
    details: { path: string; rule: string }[],
  ) {
    super(status === 404 ? ErrorType.NotFound : ErrorType.Inconsistent, message, details);
  }
}

/**
 * Up to five rows no root reaches (moved under their own descendant). An anti-join: `NOT IN` over the
 * walk is a subplan run for every row once the walk is too large to hash, and took a one-row edit of
 * a province's tree (~30,000 villages) over a minute under the table lock.
 */
export const ROWS_OFF_THE_TREE = `WITH RECURSIVE tree AS (
    SELECT id FROM jurisdictions WHERE parent_id IS NULL
    UNION ALL SELECT j.id FROM jurisdictions j JOIN tree t ON j.parent_id = t.id)
  SELECT j.id FROM jurisdictions j WHERE NOT EXISTS (SELECT 1 FROM tree t WHERE t.id = j.id) ORDER BY j.id LIMIT 5`;

export function createJurisdictionActivities({ pool }: { pool: Pool }) {
  return {
    async upsertJurisdictions(
      items: Jurisdiction[],
      actor: Actor,
      key: string,
      authority: TreeAuthority,
    ): Promise<{ upserted: number }> {
      const ids = new Set(items.map((j) => j.id));
      if (ids.size !== items.length)
        throw new DomainError(ErrorType.Validation, 'a jurisdiction id appears twice', [
          { path: 'jurisdictions', rule: 'unique ids' },
        ]);
      return withTransaction(pool, async (client) => {
        // One tree edit at a time: the authority checks below read the places they then change.
        await client.query('LOCK TABLE jurisdictions IN SHARE ROW EXCLUSIVE MODE');
        const { rows: before } = await client.query<{
          id: string;
          name: string;
          level: string;
          parent_id: string | null;
          ancestors: string[];
        }>('SELECT id, name, level, parent_id, ancestors FROM jurisdictions WHERE id = ANY($1)', [[...ids]]);
        const current = new Map(before.map((r) => [r.id, r]));
        if (authority !== 'operator') await checkAuthority(client, items, current, authority);
        const parentIds = [
          ...new Set(items.map((j) => j.parentId).filter((p): p is string => p !== null && !ids.has(p))),
        ];
        const { rows: known } = await client.query<{ id: string; level: string }>(
          'SELECT id, level FROM jurisdictions WHERE id = ANY($1)',
          [parentIds],
        );
        const levels = new Map([
          ...known.map((k) => [k.id, k.level] as const),
          ...items.map((j) => [j.id, j.level] as const),
        ]);
        items.forEach((j, i) => {
          if (j.parentId === null) return;
          const parentLevel = levels.get(j.parentId);
          if (parentLevel === undefined)
            throw new DomainError(ErrorType.Inconsistent, `parent ${j.parentId} of ${j.id} is unknown`, [
              { path: `jurisdictions[${i}].parentId`, rule: 'must exist or be in the same request' },
            ]);
          if (depth(parentLevel) >= depth(j.level))
            throw new DomainError(
              ErrorType.Inconsistent,
              `${j.id} (${j.level}) cannot be under ${j.parentId} (${parentLevel})`,
              [{ path: `jurisdictions[${i}].level`, rule: `below ${parentLevel}` }],
            );
        });
        const ordered = [...items].sort((a, b) => depth(a.level) - depth(b.level));
        await client.query(
          `INSERT INTO jurisdictions (id, name, level, parent_id, ancestors)
           SELECT j.id, j.name, j.level, j."parentId", '{}' FROM jsonb_to_recordset($1::jsonb) AS j(id text, name text, level text, "parentId" text, n int)
           ORDER BY n
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, parent_id = EXCLUDED.parent_id, updated_at = now()`,
          [JSON.stringify(ordered.map((j, n) => ({ ...j, n })))],
        );
        await client.query(
          `WITH RECURSIVE tree AS (
             SELECT id, ARRAY[id] AS anc FROM jurisdictions WHERE parent_id IS NULL
             UNION ALL SELECT j.id, t.anc || j.id FROM jurisdictions j JOIN tree t ON j.parent_id = t.id)
           UPDATE jurisdictions j SET ancestors = t.anc FROM tree t WHERE j.id = t.id AND j.ancestors IS DISTINCT FROM t.anc`,
        );
        // A row moved under its own descendant is no longer reachable from a root (its ancestors
        // would go stale), and a level changed in place can leave children above their parent:
        // both are checked on the whole tree after the edit, and the transaction is undone.
        const { rows: loops } = await client.query<{ id: string }>(ROWS_OFF_THE_TREE);
        if (loops.length > 0)
          throw new DomainError(
            ErrorType.Inconsistent,
            `${loops.map((l) => l.id).join(', ')} would lie under its own descendant`,
            loops.map((l) => ({ path: `jurisdictions[${indexOf(items, l.id)}].parentId`, rule: 'not under itself' })),
          );
        const { rows: inverted } = await client.query<{ id: string; level: string; parent: string; plevel: string }>(
          `SELECT j.id, j.level, p.id AS parent, p.level AS plevel FROM jurisdictions j JOIN jurisdictions p ON p.id = j.parent_id
           WHERE array_position($1::text[], j.level) <= array_position($1::text[], p.level) LIMIT 5`,
          [JURISDICTION_LEVELS],
        );
        if (inverted.length > 0)
          throw new DomainError(
            ErrorType.Inconsistent,
            inverted.map((r) => `${r.id} (${r.level}) cannot be under ${r.parent} (${r.plevel})`).join('; '),
            inverted.map((r) => ({
              path: `jurisdictions[${indexOf(items, r.id, r.parent)}].level`,
              rule: 'below its parent',
            })),
          );
        await appendAudit(client, {
          key,
          at: Date.now(),
          actor,
          subjectType: 'jurisdiction',
          subjectId: ordered[0]?.id ?? '',
          cycleId: null,
          jurisdictionId: ordered[0]?.id ?? null,
          action: 'jurisdictions.upserted',
          // What changed, with the old place of every move: the record must show an annexation.
          detail: {
            ids: ordered.map((j) => j.id),
            scope: authority === 'operator' ? null : authority.scope,
            created: ordered.filter((j) => !current.has(j.id)).map((j) => j.id),
            moved: ordered
              .filter((j) => current.has(j.id) && current.get(j.id)!.parent_id !== j.parentId)
              .map((j) => ({ id: j.id, from: current.get(j.id)!.parent_id, to: j.parentId })),
            changed: ordered
              .filter((j) => {
                const c = current.get(j.id);
                return c !== undefined && (c.name !== j.name || c.level !== j.level);
              })
              .map((j) => ({ id: j.id, name: current.get(j.id)!.name, level: current.get(j.id)!.level })),
          },
        });
        return { upserted: items.length };
      });
    },
  };
}

const indexOf = (items: Jurisdiction[], ...ids: string[]) => {
  for (const id of ids) {
    const i = items.findIndex((j) => j.id === id);
    if (i >= 0) return i;
  }
  return 0;
};

/**
 * The tree's authority rules for a scoped caller:
 * - the caller's scope must exist (a token for a place that is not in the tree writes nothing);
 * - every row already in the tree must lie inside the scope now (no annexing);
 * - every row must lie inside the scope after the edit: its new parent is inside, so a move is
 *   between two places the caller governs (the old parent is inside because the row is);
 * - the scope's own row keeps its parent and level (its place is decided above the caller);
 * - a new row takes an id inside its parent's (domain/jurisdiction-ids.ts): no taking another place's code;
 * - a root is created only by a token granted root authority, for the root that is its own scope,
 *   and nothing is ever detached into a root over the API (no scope governs the top of the tree).
 */
async function checkAuthority(
  client: Client,
  items: Jurisdiction[],
  current: Map<string, { parent_id: string | null; ancestors: string[]; level: string }>,
  { scope, root }: { scope: string; root: boolean },
): Promise<void> {
  const scopeRow =
    current.get(scope) ??
    (
      await client.query<{ parent_id: string | null; ancestors: string[] }>(
        'SELECT parent_id, ancestors FROM jurisdictions WHERE id = $1',
        [scope],
      )
    ).rows[0];
  const byId = new Map(items.map((j) => [j.id, j]));
  const createsOwnRoot = root && !scopeRow && byId.get(scope)?.parentId === null;
  if (!scopeRow && !createsOwnRoot)
    throw new TreeAuthorityError(
      403,
      `your scope ${scope} is not a jurisdiction; it gives no authority over the tree`,
      [{ path: 'token.scope', rule: 'must be an existing jurisdiction' }],
    );
  const inside = new Map<string, boolean>();
  // After the edit: the scope itself, or a row whose new parent is inside.
  const insideAfter = async (id: string, seen: Set<string>): Promise<boolean> => {
    if (id === scope) return true;
    if (inside.has(id)) return inside.get(id)!;
    const row = byId.get(id);
    let result: boolean;
    if (row)
      result = !seen.has(id) && row.parentId !== null && (await insideAfter(row.parentId, new Set([...seen, id])));
    else {
      const { rows } = await client.query<{ inside: boolean }>(
        'SELECT $1 = ANY(ancestors) AS inside FROM jurisdictions WHERE id = $2',
        [scope, id],
      );
      result = rows[0]?.inside === true;
    }
    inside.set(id, result);
    return result;
  };
  for (const [i, j] of items.entries()) {
    if (j.parentId === j.id)
      throw new DomainError(ErrorType.Inconsistent, `${j.id} cannot be its own parent`, [
        { path: `jurisdictions[${i}].parentId`, rule: 'not the row itself' },
      ]);
    const now = current.get(j.id);
    if (now && !now.ancestors.includes(scope))
      throw new TreeAuthorityError(404, `jurisdiction ${j.id} not found in your scope`, [
        { path: `jurisdictions[${i}].id`, rule: 'an existing row must lie inside your scope' },
      ]);
    if (j.id === scope) {
      if (now ? now.parent_id !== j.parentId : !createsOwnRoot)
        throw new TreeAuthorityError(403, `the place of ${j.id}, your own scope, is decided above you`, [
          { path: `jurisdictions[${i}].parentId`, rule: `must stay ${now?.parent_id ?? 'unchanged'}` },
        ]);
      // Its level is part of its place too (campaigns launch by level): also decided above.
      if (now && now.level !== j.level)
        throw new TreeAuthorityError(403, `the level of ${j.id}, your own scope, is decided above you`, [
          { path: `jurisdictions[${i}].level`, rule: `must stay ${now.level}` },
        ]);
      continue;
    }
    if (j.parentId === null)
      throw new TreeAuthorityError(403, `${j.id} cannot become a root: no scope governs the top of the tree`, [
        { path: `jurisdictions[${i}].parentId`, rule: 'a root is created only by the operator' },
      ]);
    if (!(await insideAfter(j.parentId, new Set([j.id]))))
      throw new TreeAuthorityError(404, `jurisdiction ${j.parentId} not found in your scope`, [
        { path: `jurisdictions[${i}].parentId`, rule: 'must lie inside your scope' },
      ]);
    // A new row takes an id in its parent's part of the namespace, never another place's code.
    if (!now && !idUnderParent(j.id, j.parentId))
      throw new TreeAuthorityError(403, `${j.id} is not an id a row under ${j.parentId} may take`, [
        { path: `jurisdictions[${i}].id`, rule: idRule(j.parentId) },
      ]);
    // And inside the caller's own: a row taken before the rule opens no other place's codes beneath it.
    if (!now && !idWithin(j.id, scope))
      throw new TreeAuthorityError(403, `${j.id} is not an id of your scope ${scope}`, [
        { path: `jurisdictions[${i}].id`, rule: `an id inside ${scope}'s: ${idRule(scope)}` },
      ]);
  }
}
