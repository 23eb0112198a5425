/** The supervision and risk routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './supervision.handlers.js';
import * as routes from './supervision.routes.js';

export const supervisionRouter = createRouter()
  .openapi(routes.getState, handlers.getState)
  .openapi(routes.checkpoint, handlers.checkpoint)
  .openapi(routes.rectification, handlers.rectification)
  .openapi(routes.monitoring, handlers.monitoring)
  .openapi(routes.monitoringPoints, handlers.monitoringPoints)
  .openapi(routes.registerRisk, handlers.registerRisk)
  .openapi(routes.resolveRisk, handlers.resolveRisk)
  .openapi(routes.listRisks, handlers.listRisks)
  .openapi(routes.riskRegister, handlers.riskRegister);
