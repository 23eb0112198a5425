/** Serving the API beside a test stack with one Temporal call made to fail, hang or be observed. */
import { Client } from '@temporalio/client';
import type { Stack } from '../helpers.js';

/**
 * An API beside the stack's whose Temporal connection answers one workflow-service method through
 * `instead` (given the real call): a send that fails, a poll that hangs, a deadline to observe.
 */
export function serveWithWorkflowService(
  stack: Stack,
  method: string,
  instead: (request: any, real: (request: any) => Promise<any>) => Promise<any>,
): Promise<{ url: string; close(): Promise<void> }> {
  const real = stack.client.connection;
  const workflowService = new Proxy(real.workflowService, {
    get(target, key) {
      const original = Reflect.get(target, key, target);
      if (key !== method) return original;
      return (request: any) => instead(request, (r) => original.call(target, r));
    },
  });
  const connection = Object.create(real, { workflowService: { value: workflowService } }) as typeof real;
  const temporal = new Client({
    connection,
    namespace: stack.client.options.namespace,
    dataConverter: stack.client.options.dataConverter,
  });
  return stack.serveVariant({ temporal });
}
