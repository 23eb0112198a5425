/** The report routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './reports.handlers.js';
import * as routes from './reports.routes.js';

export const reportRouter = createRouter()
  .openapi(routes.intake, handlers.intake)
  .openapi(routes.list, handlers.list)
  .openapi(routes.ledger, handlers.ledger)
  .openapi(routes.getOne, handlers.getOne)
  .openapi(routes.timeline, handlers.timeline)
  .openapi(routes.triage, handlers.triage)
  .openapi(routes.finding, handlers.finding);
