/**
 * A liveness probe through the whole path: API → Temporal → worker → activity → Postgres → back.
 * `npm start` and the tests use it to prove the stack is wired, nothing more.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createPingActivities } from '../activities/ping.js';

const { pingDatabase } = proxyActivities<ReturnType<typeof createPingActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function pingWorkflow(message: string): Promise<{ echo: string; databaseTime: string }> {
  const databaseTime = await pingDatabase();
  return { echo: message, databaseTime };
}
