/**
 * The daily ledger roll-up (一天一呈报): a Temporal Schedule starts it every evening; it writes the
 * day's figures for every jurisdiction and its subtree. Run again for a day, it replaces that day.
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { createLedgerActivities } from '../activities/ledger.js';
import { beijingDate } from '../domain/calendar.js';

const { writeLedgerSnapshot } = proxyActivities<ReturnType<typeof createLedgerActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2 },
});

export async function ledgerRollupWorkflow(
  input: { day?: string } = {},
): Promise<{ day: string; jurisdictions: number }> {
  const day = input.day ?? beijingDate(Date.now());
  setCurrentDetails(`写入 ${day} 换届进度台账`);
  const jurisdictions = await writeLedgerSnapshot(day);
  return { day, jurisdictions };
}
