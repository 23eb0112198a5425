/**
 * A campaign (换届部署): an upper level launches the cycles of every jurisdiction of one level in its
 * subtree, in waves — a sliding window keeps at most `window` cycles in flight, and a new one starts
 * as each closes. Targets are read a page at a time, and the campaign continues as new before its
 * history grows large, so a province of thousands runs in one campaign. Each cycle tells the campaign
 * when it ends; progress by stage is read from the cycles' record. Places added to the tree behind the
 * cursor are launched once every page has run, before the campaign is done.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCampaignActivities } from '../activities/campaign.js';
import type { createRecordActivities } from '../activities/record.js';
import { SYSTEM } from '../domain/events.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import {
  cycleFinishedSignal,
  getCampaignQuery,
  type CampaignInput,
  type CampaignState,
  type CampaignWorkflow,
} from './contracts/campaign.js';
import { RECORD_RETRY } from './record.js';

// ---- activities -------------------------------------------------------------------------------

const targets = proxyActivities<ReturnType<typeof createCampaignActivities>>({
  startToCloseTimeout: '1 minute',
  retry: RECORD_RETRY,
});
const { recordEvent } = proxyActivities<ReturnType<typeof createRecordActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: RECORD_RETRY,
});

const PAGE = 100;
/** Since 12-04: a target whose cycle of the term was started elsewhere is not this campaign's to await. */
const OWN_CYCLES_ONLY = 'campaign-own-cycles-only';
/** Since 12-07: places added where the cursor had passed are launched before the campaign is done. */
const SWEEPS_LATE_PLACES = 'campaign-sweeps-late-places';
/** Since 12-07: the places a campaign met are on record, and its last pass reads those it has not. */
const VISITS_KEPT = 'campaign-visits-kept';

// ---- the workflow -----------------------------------------------------------------------------

export async function campaignWorkflow(input: CampaignInput, carried?: CampaignState): Promise<CampaignState> {
  const state: CampaignState = carried ?? {
    campaignId: input.campaignId,
    cursor: null,
    exhausted: false,
    inFlight: [],
    finishedEarly: [],
    launched: 0,
    alreadyStarted: 0,
    closed: 0,
    aborted: 0,
    run: 0,
    done: false,
  };
  state.run += 1;
  // Asked once, by the first run: a campaign begun before its visits were kept sweeps by the cycles on record.
  if (!carried) state.visitsKept = patched(VISITS_KEPT);
  const maxEvents = input.maxHistoryEvents ?? 4000;

  // ---- messages
  setHandler(getCampaignQuery, () => state);
  setHandler(cycleFinishedSignal, cycleFinished);

  // ---- the story: cycles launched a wave at a time as room opens, until every target has run.
  if (state.run === 1)
    await record('campaign.started', input.startedBy, {
      rootId: input.rootId,
      level: input.level,
      term: input.term,
      window: input.window,
    });
  while (!state.exhausted || state.inFlight.length > 0) {
    if (historyTooLong()) await continueWithNewRun();
    const room = input.window - state.inFlight.length;
    if (room > 0 && !state.exhausted) await launchWave(Math.min(room, PAGE));
    else await aCycleFinishes();
  }
  if (patched(SWEEPS_LATE_PLACES)) await launchLatePlaces();
  state.done = true;
  describe();
  await record('campaign.completed', SYSTEM, {
    launched: state.launched,
    closed: state.closed,
    aborted: state.aborted,
    runs: state.run,
  });
  await condition(allHandlersFinished);
  return state;

  // ---- steps

  /** The next page of targets, each started as a cycle of this campaign. */
  async function launchWave(count: number) {
    const page: Jurisdiction[] = await targets.nextCampaignTargets(input.rootId, input.level, state.cursor, count);
    if (page.length < count) state.exhausted = true;
    if (page.length === 0) return;
    state.cursor = page.at(-1)!.id;
    await launchPage(page);
  }

  /**
   * Targets are read in id order, so a place added to the tree while the campaign ran, with an id the cursor
   * had already passed, was never reached (found from outside: the campaign said done and counted it a
   * target). Once every page has run, the places of the level the campaign has not met (each launch puts
   * its place on record) are launched — or counted started elsewhere — a window at a time, until none is
   * left. A campaign begun before the visits were kept takes the places still without a cycle of the term:
   * every cycle it launched has ended by then, so it has its row (one started elsewhere meanwhile, which
   * has a row too, is not counted: found from outside, and why the visits are kept).
   */
  async function launchLatePlaces() {
    const elsewhere: string[] = [];
    for (;;) {
      const count = Math.min(input.window, PAGE);
      const page = state.visitsKept
        ? await targets.campaignPlacesNotMet(input.campaignId, input.rootId, input.level, count)
        : await targets.campaignPlacesWithoutCycle(input.rootId, input.level, input.term, elsewhere, count);
      if (page.length === 0) return;
      elsewhere.push(...(await launchPage(page)));
      while (state.inFlight.length > 0) {
        if (historyTooLong()) await continueWithNewRun();
        await aCycleFinishes();
      }
    }
  }

  /** Starts a cycle of this campaign for each place; answers the ids of those whose cycle was started elsewhere. */
  async function launchPage(page: Jurisdiction[]): Promise<string[]> {
    const elsewhere: string[] = [];
    const launches = patched(OWN_CYCLES_ONLY)
      ? await Promise.all(
          page.map((j) =>
            targets.launchCampaignCycle(input.campaignId, j, input.term, input.template, input.startedBy),
          ),
        )
      : (
          await Promise.all(
            page.map((j) =>
              targets.startCampaignCycle(input.campaignId, j, input.term, input.template, input.startedBy),
            ),
          )
        ).map((cycleId) => ({ cycleId, mine: true }));
    for (const [i, { cycleId: id, mine }] of launches.entries()) {
      // A cycle of the term started elsewhere never signals this campaign: it is counted, not awaited.
      if (!mine) {
        state.alreadyStarted = (state.alreadyStarted ?? 0) + 1;
        elsewhere.push(page[i]!.id);
        continue;
      }
      state.launched += 1;
      const early = state.finishedEarly.indexOf(id);
      if (early >= 0) state.finishedEarly.splice(early, 1);
      else state.inFlight.push(id);
    }
    describe();
    return elsewhere;
  }

  /** Waits until a cycle in flight ends (room for the next) or the history needs a new run. */
  async function aCycleFinishes() {
    const seen = state.inFlight.length;
    await condition(() => state.inFlight.length !== seen || historyTooLong());
  }

  /** A cycle of the campaign has ended; one that ends before it was counted in flight is remembered. */
  function cycleFinished({ cycleId, status }: { cycleId: string; status: 'closed' | 'aborted' }) {
    if (status === 'closed') state.closed += 1;
    else state.aborted += 1;
    const i = state.inFlight.indexOf(cycleId);
    if (i >= 0) state.inFlight.splice(i, 1);
    else state.finishedEarly.push(cycleId);
    describe();
  }

  function historyTooLong() {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;
  }

  async function continueWithNewRun(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<CampaignWorkflow>(input, state);
  }

  function describe() {
    setCurrentDetails(
      `换届部署 ${input.campaignId}: 已启动 ${state.launched}，${state.alreadyStarted ? `已另行启动 ${state.alreadyStarted}，` : ''}进行中 ${state.inFlight.length}，已完成 ${state.closed}，已终止 ${state.aborted}${state.exhausted ? '' : '，尚有未启动'} (第 ${state.run} 段)`,
    );
  }

  /** An audit event keyed by run and action, so a retried record never doubles a row. */
  function record(action: string, actor: Actor, detail: Record<string, unknown>) {
    return recordEvent({
      key: `${workflowInfo().workflowId}#run${state.run}#${action}`,
      at: Date.now(),
      actor,
      subjectType: 'campaign',
      subjectId: input.campaignId,
      cycleId: null,
      jurisdictionId: input.rootId,
      action,
      detail,
    });
  }
}
