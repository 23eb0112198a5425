/** What the system routes do. */
import { verifyAuditChain } from '../../../activities/audit.js';
import { pingWorkflowId } from '../../../domain/ids.js';
import { pingWorkflowType, type PingWorkflow } from '../../../workflows/contracts/ping.js';
import type { AppRouteHandler } from '../../context.js';
import { authorize } from '../../guards.js';
import type * as routes from './system.routes.js';

export const ping: AppRouteHandler<typeof routes.ping> = async (c) => {
  const s = c.var.services;
  authorize(c, 'system.ping');
  const { message } = c.req.valid('json');
  const result = await s.temporal.workflow.execute<PingWorkflow>(pingWorkflowType, {
    workflowId: pingWorkflowId(c.get('requestId')),
    taskQueue: s.taskQueue,
    args: [message],
    workflowExecutionTimeout: '30s',
  });
  return c.json(result, 200);
};

export const verifyAudit: AppRouteHandler<typeof routes.verifyAudit> = async (c) => {
  authorize(c, 'audit.verify');
  return c.json(await verifyAuditChain(c.var.services.pool), 200);
};
