/** The cycle routes wired to their handlers. */
import { createRouter } from '../../create-router.js';
import * as handlers from './cycles.handlers.js';
import * as routes from './cycles.routes.js';

export const cycleRouter = createRouter()
  .openapi(routes.start, handlers.start)
  .openapi(routes.list, handlers.list)
  .openapi(routes.getOne, handlers.getOne)
  .openapi(routes.timeline, handlers.timeline)
  .openapi(routes.launch, handlers.launch)
  .openapi(routes.analysis, handlers.analysis)
  .openapi(routes.recommendationRound, handlers.recommendationRound)
  .openapi(routes.standingCommittee, handlers.standingCommittee)
  .openapi(routes.committeeVote, handlers.committeeVote)
  .openapi(routes.nomineeDrop, handlers.nomineeDrop)
  .openapi(routes.approval, handlers.approval)
  .openapi(routes.election, handlers.election)
  .openapi(routes.hold, handlers.hold)
  .openapi(routes.holdRelease, handlers.holdRelease)
  .openapi(routes.suspend, handlers.suspend)
  .openapi(routes.resume, handlers.resume)
  .openapi(routes.abort, handlers.abort)
  .openapi(routes.calendarYear, handlers.calendarYear);
