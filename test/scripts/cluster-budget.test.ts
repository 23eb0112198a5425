/**
 * The production shape shares one PostgreSQL server among five Temporal services, two workers and two
 * APIs that keep their connections open. Its plan must fit PostgreSQL's default of 100 (CI's server),
 * and a server that allows fewer is refused before anything starts, with both numbers.
 */
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { CONNECTIONS, checkConnectionBudget, connectionBudget } from '../../scripts/cluster.js';

describe("the cluster's connections", () => {
  it("fit a server with PostgreSQL's default max_connections, spare included", () => {
    expect(CONNECTIONS.spare).toBeGreaterThan(0);
    expect(connectionBudget()).toBeLessThanOrEqual(100);
  });

  it('are checked against the server: refused past its max_connections, naming both numbers', async () => {
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    const { rows } = await admin.query<{ max: string }>(`SELECT current_setting('max_connections') AS max`);
    await admin.end();
    const max = Number(rows[0]!.max);
    const lines: string[] = [];
    await checkConnectionBudget(inject('databaseUrl'), (l) => lines.push(l), max);
    expect(lines).toEqual([`PostgreSQL: the cluster may hold ${max} of the server's ${max} connections`]);
    await expect(checkConnectionBudget(inject('databaseUrl'), () => undefined, max + 1)).rejects.toThrow(
      `PostgreSQL allows ${max} connections (max_connections) and the cluster may hold ${max + 1}`,
    );
  });
});
