/** The candidate routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './candidates.handlers.js';
import * as routes from './candidates.routes.js';

export const candidateRouter = createRouter()
  .openapi(routes.getOne, handlers.getOne)
  .openapi(routes.personalMattersRecord, handlers.personalMattersRecord)
  .openapi(routes.inspection, handlers.inspection)
  .openapi(routes.personalMatters, handlers.personalMatters)
  .openapi(routes.dossier, handlers.dossier)
  .openapi(routes.stop, handlers.stop);
