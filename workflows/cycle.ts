/**
 * A cycle (换届): one jurisdiction's leadership transition for one term, from launch (启动) through
 * analysis (分析研判和动议), recommendation (民主推荐, two rounds), inspection (考察, a workflow per
 * candidate, joint review inside), decision (讨论决定), publicity (任职公示, a working-day period),
 * approval (审查审批) and the congress vote (大会选举) to closed (完成).
 *
 * Organizers drive it with one Update per stage input (./cycle/inputs.ts); each is checked against
 * the state in its validator and rejected without a trace if wrong, and answered once its
 * consequences are drawn. A stage advances only when its work is done, the cycle is not suspended
 * and no hold (raised by reports, supervision or risks) blocks the gate. Every accepted input and
 * every stage change goes on the record in Postgres: the acts taken while an input waits for its
 * answer by the input's sender, from the answer (contracts/cycle.ts CycleActForRecord); the rest, and
 * again every act handed to a sender, by an idempotent activity of the cycle's own.
 *
 * This function is the message API and the story; the entity it drives is `Cycle` (./cycle/entity.ts),
 * its stages ./cycle/stages.ts, its candidates' workflows ./cycle/candidates.ts. When the history
 * grows long (a thousand candidates) the cycle continues as new from its state, at any stage.
 */
import { setHandler } from '@temporalio/workflow';
import {
  candidateOutcomeSignal,
  getStateQuery,
  hearCandidateOutcomeUpdate,
  reviewLateSignal,
  reviewsLateSignal,
  type CycleResult,
  type CycleWorkflowInput,
} from './contracts/cycle.js';
import { CandidateWorkflows } from './cycle/candidates.js';
import { Cycle, CycleAborted } from './cycle/entity.js';
import { CALENDAR_YEAR, CONTROLS, STAGE_INPUTS, type CycleInput } from './cycle/inputs.js';
import { runStages } from './cycle/stages.js';

export async function cycleWorkflow(input: CycleWorkflowInput): Promise<CycleResult> {
  const cycle = new Cycle(input);
  const candidates = new CandidateWorkflows(cycle);

  // ---- messages
  setHandler(getStateQuery, () => cycle.state);
  setHandler(candidateOutcomeSignal, (outcome) => candidates.heard(outcome));
  setHandler(hearCandidateOutcomeUpdate, (outcome) => cycle.hear(() => candidates.heard(outcome)));
  setHandler(reviewLateSignal, (late) => candidates.heardLate(late));
  setHandler(reviewsLateSignal, (lates) => lates.forEach((late) => candidates.heardLate(late)));
  for (const spec of [...STAGE_INPUTS, ...CONTROLS]) accept(cycle, spec);
  // Candidates and supervision compute their deadlines on the cycle's calendar: a year supplied goes on to them.
  accept(cycle, CALENDAR_YEAR, (year) => {
    candidates.tellCalendarYear(year);
    cycle.tellSupervisionCalendarYear(year);
  });

  // ---- the story
  try {
    // Acts handed to senders are recorded by the cycle too, soon, if nothing else records them first.
    void cycle.recordAnsweredActs().catch(() => undefined);
    if (!cycle.continued) await cycle.begin();
    await runStages(cycle, candidates);
    await cycle.close();
  } catch (e) {
    if (!(e instanceof CycleAborted)) throw e;
    await candidates.stopUnfinished();
    await cycle.windDownAborted();
  }
  await cycle.tellCampaign();
  return cycle.finish();
}

/** One input: checked by the validator without touching state, then taken and answered by the cycle. */
function accept<I>(cycle: Cycle, spec: CycleInput<I>, passOn?: (input: I) => void) {
  setHandler(spec.update, (raw, actor) => cycle.take(spec, raw, actor, passOn), {
    validator: (raw, _actor) => cycle.vet(spec, raw),
  });
}
