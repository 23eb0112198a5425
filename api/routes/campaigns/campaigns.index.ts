/** The campaign and ledger routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './campaigns.handlers.js';
import * as routes from './campaigns.routes.js';

export const campaignRouter = createRouter()
  .openapi(routes.ledger, handlers.ledger)
  .openapi(routes.start, handlers.start)
  .openapi(routes.progress, handlers.progress);
