/** The jurisdiction routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './jurisdictions.handlers.js';
import * as routes from './jurisdictions.routes.js';

export const jurisdictionRouter = createRouter()
  .openapi(routes.upsert, handlers.upsert)
  .openapi(routes.subtree, handlers.subtree);
