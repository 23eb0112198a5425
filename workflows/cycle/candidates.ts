/**
 * The cycle's side of its candidates' workflows. One activity starts them all, so a thousand
 * candidates cost the cycle one activity and the cycle can continue as new while they run; each
 * signals how its inspection ended to the cycle's workflow id (and which departments are late). An
 * abort stops those still in inspection (each through its stop input, so the stop is on its record);
 * a calendar year supplied to the cycle is passed on.
 */
import { getExternalWorkflowHandle, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createCandidateActivities } from '../../activities/candidates.js';
import type { YearOverride } from '../../domain/calendar.js';
import * as C from '../../domain/cycle.js';
import { SYSTEM } from '../../domain/events.js';
import { candidateWorkflowId } from '../../domain/ids.js';
import { calendarYearSignal } from '../contracts/candidate.js';
import type { ReviewLate } from '../contracts/cycle.js';
import { RECORD_RETRY } from '../record.js';
import type { Cycle } from './entity.js';

// A thousand starts take a while; the heartbeat tells a stuck one from a slow one.
const { startCandidateWorkflows, cancelCandidateWorkflows } = proxyActivities<
  ReturnType<typeof createCandidateActivities>
>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RECORD_RETRY,
});

export class CandidateWorkflows {
  constructor(private readonly cycle: Cycle) {}

  /** Starts every candidate's workflow at once, before the cycle reads "inspection". */
  openInspection(): Promise<void> {
    return this.open(this.cycle.state.candidates.filter((c) => c.status === 'inspecting' && !c.opened));
  }

  /** A candidate's workflow says how its inspection ended; a stopped one's replacement starts at once. */
  heard(outcome: C.DossierOutcome) {
    const { cycle } = this;
    // A signal can repeat (a retried candidate task); only the first outcome counts.
    if (cycle.state.candidates.find((c) => c.personId === outcome.personId)?.status !== 'inspecting') return;
    // An aborted cycle stops its candidates and replaces nobody. Before the patch an outcome heard
    // after an abort could still start a replacement; asked only then, so other histories are unchanged.
    const replace = cycle.state.status !== 'aborted' || !patched('aborted-replaces-nobody');
    // People tied at the next rank all enter, as at the cut; before the patch the ranking's order took
    // one of them. Asked only when there is such a tie, so other histories are unchanged.
    const replacements = C.applyCandidateOutcome(cycle.state, outcome, replace, () =>
      patched('replacement-takes-all-tied'),
    );
    cycle.bump();
    void cycle.record(
      `candidate.${outcome.result}`,
      SYSTEM,
      { personId: outcome.personId, reason: outcome.reason, cause: outcome.cause, concerns: outcome.concerns },
      undefined,
      [outcome.personId],
    );
    if (replacements.length === 0) return;
    void this.open(replacements);
    for (const replacement of replacements)
      void cycle.record(
        'candidate.replaced',
        SYSTEM,
        {
          personId: replacement.personId,
          replaces: outcome.personId,
          ...(replacements.length > 1 ? { tiedWith: replacements.map((r) => r.personId) } : {}),
        },
        undefined,
        [replacement.personId],
      );
  }

  /** A candidate's late departments show on the cycle, so organizers see them without opening each one. */
  heardLate(late: ReviewLate) {
    const c = this.cycle.state.candidates.find((x) => x.personId === late.personId);
    if (!c) return;
    (c.lateReviews ??= []).push({ departments: late.departments, kind: late.kind, at: late.at });
    this.cycle.bump();
  }

  /** The cycle was aborted: candidates still in inspection stop (a replacement being started first runs). */
  async stopUnfinished() {
    await this.cycle.nothingInFlight();
    const open = this.inspecting().map((c) => c.personId);
    if (open.length > 0) await this.cycle.tracked(cancelCandidateWorkflows(this.cycle.state.cycleId, open));
  }

  /** Candidates compute their review deadlines on the cycle's calendar: a year supplied goes to each. */
  tellCalendarYear(year: YearOverride) {
    for (const c of this.inspecting()) {
      void this.cycle.tracked(
        getExternalWorkflowHandle(candidateWorkflowId(this.cycle.state.cycleId, c.personId))
          .signal(calendarYearSignal, year)
          .catch(() => undefined),
      );
    }
  }

  private inspecting() {
    return this.cycle.state.candidates.filter((c) => c.opened && c.status === 'inspecting');
  }

  /** One activity starts them all (idempotently); each then signals its outcome to the cycle. */
  private async open(entries: C.CandidateEntry[]) {
    if (entries.length === 0) return;
    const { state } = this.cycle;
    await this.cycle.tracked(
      startCandidateWorkflows({
        cycleId: state.cycleId,
        jurisdiction: { id: state.jurisdiction.id, name: state.jurisdiction.name },
        term: state.term,
        policy: state.policy,
        taskQueue: workflowInfo().taskQueue,
        people: entries.map((c) => ({
          personId: c.personId,
          name: c.name,
          positionId: c.positionId,
          ...(c.replaces ? { replaces: c.replaces } : {}),
          ...(c.firstPromotion ? { firstPromotion: true } : {}),
        })),
      }),
    );
    for (const c of entries) c.opened = true;
    this.cycle.bump();
  }
}
