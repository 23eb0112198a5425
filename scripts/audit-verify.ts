/** `npm run audit:verify`: walks the audit trail's hash chain in DATABASE_URL and names the first broken row. */
import { verifyAuditChain } from '../activities/audit.js';
import { createPool } from '../activities/db.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/huanjie';
const pool = createPool(url, { max: 1 });
try {
  const report = await verifyAuditChain(pool);
  if (report.ok) console.log(`audit trail intact: ${report.rows} rows verified`);
  else
    console.error(
      `audit trail BROKEN at row ${report.brokenAt!.id} (after ${report.rows} good rows): ${report.brokenAt!.reason}`,
    );
  process.exitCode = report.ok ? 0 : 2;
} catch (e) {
  console.error(`audit:verify: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
