/** The liveness probe's contract: its workflow type, by name, and its signature. */
export const pingWorkflowType = 'pingWorkflow';
export type PingWorkflow = (message: string) => Promise<{ echo: string; databaseTime: string }>;
