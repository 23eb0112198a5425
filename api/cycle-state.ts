/**
 * A cycle's state as every route reads it: from its projection in Postgres, never by a replay.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import type * as C from '../domain/cycle.js';
import { cycleWorkflowId } from '../domain/ids.js';
import * as W from '../workflows/contracts/cycle.js';
import type { Projection } from './queries/cycles.js';
import type { Services } from './context.js';
import { acceptedUnanswered, ApiError, beingWritten, notFound, temporalDeadlinePassed, toApiError } from './errors.js';
import { withinRequest } from './request-clock.js';
import { cycleJurisdiction } from './guards.js';

/** How long an answer waits for the projection to reach the version its input produced. */
const PROJECTION_WAIT_MS = 5_000;
/** How long a read waits for a stale projection's repair before it answers 503 with Retry-After. */
const READ_WAIT_MS = 1_000;
/**
 * A stale projection older than this has missed its repair (a lost signal, a worker gone): its workflow
 * is asked. A repair takes a workflow task (10 s at most before Temporal retries it) and a write.
 */
const REPAIR_OVERDUE_MS = 15_000;

/**
 * The cycle's state from Postgres: the projection its workflow writes after every change
 * (workflows/projection.ts), so a read never waits on a replay. With `atLeastVersion` (an input's
 * answer) it waits, bounded, until the projection holds that version; one that does not get there
 * answers 503 with Retry-After, never an older state. Only a cycle without a usable projection (one
 * started before projections, or whose projection lost a write and awaits its next full send) is
 * asked through its workflow.
 */
export async function readState(s: Services, cycleId: string, atLeastVersion?: number): Promise<C.CycleState> {
  const [state, late] = await Promise.all([readCycle(s, cycleId, atLeastVersion), s.read.lateReviews(cycleId)]);
  return withLateReviews(state, late);
}

/**
 * A reader's GET of one cycle: the scope check, the projection and the late departments in one
 * round trip (api/queries/cycles.ts cycleForReader). Out of scope looks exactly like absent: 404.
 */
export async function readStateInScope(s: Services, scope: string, cycleId: string): Promise<C.CycleState> {
  const r = await s.read.cycleForReader(scope, cycleId, cycleJurisdiction(cycleId));
  if (!r.inside) throw notFound(`cycle ${cycleId}`).asDenial();
  const state = r.projected && !r.projected.stale ? r.projected.state : await readCycle(s, cycleId, undefined, r);
  return withLateReviews(state, r.late);
}

/**
 * Candidates' late departments come from their tasks on the record, where the candidate's deadline
 * records put them; the cycle's workflow is not told of them (a signal and a workflow task per
 * candidate and wake-up). A cycle whose candidates still told it keeps what it heard.
 */
function withLateReviews(
  state: C.CycleState,
  late: Map<string, NonNullable<C.CycleState['candidates'][number]['lateReviews']>>,
): C.CycleState {
  if (late.size === 0) return state;
  return {
    ...state,
    candidates: state.candidates.map((c) => {
      const recorded = late.get(c.personId);
      return recorded && (c.lateReviews?.length ?? 0) < recorded.length ? { ...c, lateReviews: recorded } : c;
    }),
  };
}

/** `read`: the projection as the caller has just read it (its first look, saving a round trip). */
async function readCycle(
  s: Services,
  cycleId: string,
  atLeastVersion?: number,
  read?: { projected: Projection<C.CycleState> | undefined },
): Promise<C.CycleState> {
  const start = Date.now();
  // Within the request's deadline too (api/request-clock.ts), leaving time to answer.
  const limit = withinRequest(atLeastVersion === undefined ? READ_WAIT_MS : PROJECTION_WAIT_MS);
  let unanswered: ApiError | undefined;
  let asked = false;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const projected = read ? read.projected : await s.read.cycleState(cycleId);
    read = undefined;
    if (projected && !projected.stale) {
      if (atLeastVersion === undefined || projected.state.version >= atLeastVersion) return projected.state;
    } else if (!asked && askable(projected)) {
      asked = true;
      const live = await readLive(s, cycleId, projected, limit - (Date.now() - start)).catch(notAnswered);
      if (live instanceof ApiError) unanswered = live;
      else if (atLeastVersion === undefined || live.version >= atLeastVersion) return live;
    }
    if (Date.now() - start >= limit) {
      // An input's answer: the input is taken whatever the read does — never "busy" or "unreachable".
      if (atLeastVersion !== undefined) throw projectionBehind(cycleId, atLeastVersion);
      throw unanswered ?? notReadable(`cycle ${cycleId}`);
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * Whether a cycle's workflow may be asked for its state by a query: when it has no projection (its first
 * task has not run, or a run from before projections), or when a stale one has waited for its repair
 * longer than a repair takes. A stale projection is repaired by the run's next whole send — the retry of
 * a refused task, or the send a projectionStale signal asks for — so a read waits for that instead. A
 * query meanwhile is worse than a wait: it reaches a workflow busy with the inputs that made it stale,
 * and sdk-core (TS SDK 1.24) applies a query task's new events as an activation of their own, whose
 * commands then precede the next task's Updates in history — a history its replay does not follow
 * (TMPRL1100; seen under the input-burst test, docs/architecture.md).
 */
export function askable(projected: Projection<C.CycleState> | undefined): boolean {
  return !projected || (projected.stale && projected.staleMs >= REPAIR_OVERDUE_MS);
}

/** readLive's refusal as an error to answer with; a 404 (no such cycle) or a client's mistake is thrown. */
function notAnswered(e: unknown): ApiError {
  if (e instanceof ApiError && e.status >= 500) return e;
  throw e;
}

/**
 * Waits, bounded like an input's answer, until the cycle's projection holds `version` — a hold a
 * registration placed — so the caller's next read shows what the answer said. A cycle read through
 * its workflow (no usable projection) needs no wait; one whose record stays behind is left to catch
 * up (the hold itself is in the cycle already).
 */
export async function awaitCycleVersion(s: Services, cycleId: string, version: number): Promise<void> {
  const deadline = Date.now() + withinRequest(PROJECTION_WAIT_MS);
  for (let wait = 5; Date.now() < deadline; wait = Math.min(wait * 2, 100)) {
    const projected = await s.read.cycleState(cycleId);
    if (!projected || projected.stale || projected.state.version >= version) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}

function projectionBehind(cycleId: string, version: number): ApiError {
  return acceptedUnanswered(
    `the record of cycle ${cycleId} has not reached version ${version} yet; the input is accepted, read it again shortly`,
  );
}

/**
 * Without a projection: a finished cycle's final state is in Postgres, a running one is asked, for at
 * most `ms` (askBriefly).
 */
async function readLive(
  s: Services,
  cycleId: string,
  projected: Projection<C.CycleState> | undefined,
  ms: number,
): Promise<C.CycleState> {
  const row = await s.read.cycle(cycleId);
  if (row && (row.status === 'closed' || row.status === 'aborted') && 'cycleId' in row.state) return row.state;
  s.readFromWorkflow('cycle', projected);
  try {
    return await askBriefly(s, ms, `cycle ${cycleId}`, () =>
      s.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).query(W.getStateQuery),
    );
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw toApiError(e) ?? notReadable(`cycle ${cycleId}`);
    // Past Temporal's retention the record in Postgres is the answer.
    const row = await s.read.cycle(cycleId);
    if (!row || !('cycleId' in row.state)) throw notFound(`cycle ${cycleId}`);
    return row.state;
  }
}

/**
 * Asks a workflow (a query) for a read its projection cannot answer, for at most `ms` and within the
 * request's deadline. A query waits for a worker, and on a run the worker does not hold, for a replay:
 * under load one took the request's whole 30 s and then failed (bench measurement 7, 12-06: a cycle
 * whose projection stayed stale past its repair). Cut off, it is the read's 503 with Retry-After
 * (`notReadable`, naming `what`), as a read that waited for a repair is; the client reads again.
 */
export async function askBriefly<T>(s: Services, ms: number, what: string, ask: () => Promise<T>): Promise<T> {
  try {
    return await s.temporal.connection.withDeadline(Date.now() + Math.max(0, withinRequest(ms)), ask);
  } catch (e) {
    throw temporalDeadlinePassed(e) ? notReadable(what) : e;
  }
}

/** How long a read of a report or a supervision waits on its workflow when its projection cannot answer. */
export const ASK_WORKFLOW_MS = READ_WAIT_MS;

/**
 * Its projection is not usable yet (a workflow whose first task has not run, or whose record is
 * being repaired) and its workflow did not answer a query (a task failing or timing out under load):
 * nothing is wrong with the request, so 503 and a retry, never a 500. `what`: `cycle <id>`, say.
 */
export function notReadable(what: string): ApiError {
  return beingWritten(`${what} cannot be read just now: its record is being written; read it again shortly`);
}
