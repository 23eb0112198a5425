/** The project's Temporal Schedules, created once (idempotently) when a worker starts. */
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';

export const LEDGER_SCHEDULE_ID = 'huanjie-daily-ledger';

/** Every day at 23:50 Beijing time, the day's ledger snapshot. */
export async function ensureLedgerSchedule(client: Client, taskQueue: string): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: LEDGER_SCHEDULE_ID,
      spec: { calendars: [{ hour: 23, minute: 50 }], timezone: 'Asia/Shanghai' },
      action: {
        type: 'startWorkflow',
        workflowType: 'ledgerRollupWorkflow',
        taskQueue,
        args: [{}],
        workflowId: 'ledger-rollup',
      },
      policies: { catchupWindow: '1 day' },
    });
    return 'created';
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return 'exists';
    throw e;
  }
}
