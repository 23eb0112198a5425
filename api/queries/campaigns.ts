/** Campaign progress and the daily ledger's snapshots as the API reads them. */
import type { Pool } from '../../activities/db.js';
import type { LedgerFigures } from '../../activities/ledger.js';

export function createCampaignQueries(pool: Pool) {
  return {
    /** A past day's snapshot of a jurisdiction's figures, if the evening job took one. */
    async ledgerSnapshot(
      day: string,
      jurisdictionId: string,
    ): Promise<{ own: LedgerFigures; subtree: LedgerFigures; computedAt: Date } | undefined> {
      const { rows } = await pool.query<{ own: LedgerFigures; subtree: LedgerFigures; computedAt: Date }>(
        'SELECT own, subtree, computed_at AS "computedAt" FROM ledger_snapshots WHERE day = $1 AND jurisdiction_id = $2',
        [day, jurisdictionId],
      );
      return rows[0];
    },

    /** How many jurisdictions a campaign targets, and where their cycles of the term stand. */
    async progress(
      rootId: string,
      level: string,
      term: string,
    ): Promise<{ targets: number; byStage: Record<string, number>; byStatus: Record<string, number> }> {
      const { rows } = await pool.query<{
        targets: number;
        byStage: Record<string, number>;
        byStatus: Record<string, number>;
      }>(
        `SELECT (SELECT count(*)::int FROM jurisdictions WHERE $1 = ANY(ancestors) AND level = $2) AS targets,
              coalesce((SELECT jsonb_object_agg(stage, n) FROM (SELECT c.stage, count(*)::int n FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
                 WHERE $1 = ANY(j.ancestors) AND j.level = $2 AND c.term = $3 GROUP BY c.stage) x), '{}') AS "byStage",
              coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT c.status, count(*)::int n FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
                 WHERE $1 = ANY(j.ancestors) AND j.level = $2 AND c.term = $3 GROUP BY c.status) x), '{}') AS "byStatus"`,
        [rootId, level, term],
      );
      return rows[0]!;
    },
  };
}
