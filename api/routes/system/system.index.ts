/** The system routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './system.handlers.js';
import * as routes from './system.routes.js';

export const systemRouter = createRouter()
  .openapi(routes.ping, handlers.ping)
  .openapi(routes.verifyAudit, handlers.verifyAudit);
