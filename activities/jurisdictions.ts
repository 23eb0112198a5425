/**
 * Loads or updates a piece of the administrative tree. Parents come before children (a child's
 * level is always below its parent's), and every row's `ancestors` is recomputed so scope checks
 * stay one lookup even when a subtree moves.
 */
import { DomainError, ErrorType } from '../domain/errors.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import { JURISDICTION_LEVELS } from '../domain/stages.js';
import { appendAudit } from './audit.js';
import { withTransaction, type Pool } from './db.js';

const depth = (level: string) => JURISDICTION_LEVELS.indexOf(level as (typeof JURISDICTION_LEVELS)[number]);

export function createJurisdictionActivities({ pool }: { pool: Pool }) {
  return {
    async upsertJurisdictions(items: Jurisdiction[], actor: Actor, key: string): Promise<{ upserted: number }> {
      const ids = new Set(items.map((j) => j.id));
      if (ids.size !== items.length)
        throw new DomainError(ErrorType.Validation, 'a jurisdiction id appears twice', [
          { path: 'jurisdictions', rule: 'unique ids' },
        ]);
      return withTransaction(pool, async (client) => {
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
        await appendAudit(client, {
          key,
          at: Date.now(),
          actor,
          subjectType: 'jurisdiction',
          subjectId: ordered[0]?.id ?? '',
          cycleId: null,
          jurisdictionId: ordered[0]?.id ?? null,
          action: 'jurisdictions.upserted',
          detail: { ids: ordered.map((j) => j.id) },
        });
        return { upserted: items.length };
      });
    },
  };
}
