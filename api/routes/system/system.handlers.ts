/** What the system routes do. */
import { verifyAuditChainShared } from '../../../activities/audit.js';
import { pingWorkflowId } from '../../../domain/ids.js';
import { pingWorkflowType, type PingWorkflow } from '../../../workflows/contracts/ping.js';
import type { AppRouteHandler } from '../../context.js';
import { ApiError, ErrorCode } from '../../errors.js';
import type * as routes from './system.routes.js';

export const ping: AppRouteHandler<typeof routes.ping> = async (c) => {
  const s = c.var.services;
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
  const s = c.var.services;
  // One chain for every jurisdiction: its length and where it breaks are the whole system's, and a
  // walk of it costs the API real work — so only a scope at the top of the tree may ask.
  const scope = await s.read.jurisdiction(c.get('principal').scope);
  if (!scope || scope.parentId !== null)
    throw new ApiError(
      403,
      ErrorCode.Forbidden,
      'the audit chain spans every jurisdiction: verify it with a scope at the top of the tree',
      [{ path: 'scope', rule: 'a jurisdiction at the top of the tree (no parent)' }],
    );
  return c.json(await verifyAuditChainShared(s.pool), 200);
};
