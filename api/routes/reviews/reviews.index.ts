/** The joint-review routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './reviews.handlers.js';
import * as routes from './reviews.routes.js';

export const reviewRouter = createRouter()
  .openapi(routes.inbox, handlers.inbox)
  .openapi(routes.verdict, handlers.verdict);
