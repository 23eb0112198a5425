/**
 * The stages in order, from wherever this run starts: launch, or where the previous run left off.
 * Every stage but publicity waits for its own work (the organizers' inputs, or every candidate's
 * outcome), then for an open gate, then moves on; publicity publishes the nominees and waits out the
 * period on the working-day calendar.
 */
import { beijingDeadlineText } from '../../domain/beijing.js';
import * as C from '../../domain/cycle.js';
import { SYSTEM } from '../../domain/events.js';
import type { Stage } from '../../domain/stages.js';
import { calendarGap } from '../deadlines.js';
import type { CandidateWorkflows } from './candidates.js';
import type { Cycle } from './entity.js';

interface StageStep {
  /** What the cycle says it waits for while the stage's work is not done. */
  waitingFor: string;
  /** The stage's own work is done (by default: its input is complete). */
  done?: (s: C.CycleState) => boolean;
  /** Runs once the gate is open, before the next stage is entered. */
  beforeAdvance?: (candidates: CandidateWorkflows) => Promise<void>;
}

const STEPS: Record<Exclude<Stage, 'publicity' | 'closed'>, StageStep> = {
  launch: { waitingFor: '等待 启动：责任清单、警示教育与承诺书' },
  analysis: { waitingFor: '等待 分析研判：空缺职位预告' },
  recommendation: {
    waitingFor: '等待 民主推荐：干部大会与全委会两轮计票',
    // Candidates' workflows start before the stage reads "inspection": nobody sees a candidate that cannot take input.
    beforeAdvance: (candidates) => candidates.openInspection(),
  },
  inspection: { waitingFor: '考察：等待各考察对象的考察结论', done: C.inspectionDone },
  decision: { waitingFor: '等待 讨论决定：常委会差额提名，全委会票决' },
  approval: { waitingFor: '等待 审查审批：上级审批或备案' },
  election: { waitingFor: '等待 大会选举：选举结果' },
};

const CALENDAR_HOLD = 'calendar';

export async function runStages(cycle: Cycle, candidates: CandidateWorkflows) {
  for (let stage = cycle.state.stage; stage !== 'closed'; stage = cycle.state.stage) {
    if (stage === 'publicity') await publicize(cycle);
    else await completeStage(cycle, STEPS[stage], candidates);
  }
}

async function completeStage(cycle: Cycle, step: StageStep, candidates: CandidateWorkflows) {
  const done = step.done ?? ((s: C.CycleState) => s.stageDone);
  // A stage whose input came before this step ran (its first task was slow) is told by that input
  // why it waits; saying "waiting for the input" then would overwrite it, and a reader between this
  // send and the gate's own could be told so (seen once under the full test suite's load).
  if (!done(cycle.state)) cycle.describe(step.waitingFor);
  await cycle.waitFor(() => done(cycle.state));
  await cycle.passGate();
  await cycle.advance(step.beforeAdvance && (() => step.beforeAdvance!(candidates)));
}

/** Publicity (任职公示): the nominees published, the period waited out, then approval. */
async function publicize(cycle: Cycle) {
  // A run continued during publicity finds the nominees published already.
  if (!C.activeNominees(cycle.state).some((n) => n.publishedAt !== undefined)) await publishNominees(cycle);
  await waitOutPublicity(cycle);
  cycle.state.deadline = undefined;
  cycle.state.stageDone = true;
  await cycle.advance();
}

async function publishNominees(cycle: Cycle) {
  const { state } = cycle;
  await withCalendar(cycle, () => C.publishNominees(state, Date.now()));
  const endsAt = C.publicityEndsAt(state);
  // Said before the record is written, so the vote's answer already tells until when.
  cycle.describe(publicityText(state, endsAt));
  await cycle.record(
    'publicity.published',
    SYSTEM,
    {
      nominees: C.activeNominees(state).map((n) => n.personId),
      endsAt: endsAt === null ? null : new Date(endsAt).toISOString(),
      ...(endsAt === null ? { reason: C.nothingToPublish(state) } : {}),
    },
    undefined,
    'all',
  );
}

/** Until every active nominee's own period is over, nobody is held and the gate is open. */
async function waitOutPublicity(cycle: Cycle) {
  const { state } = cycle;
  for (;;) {
    const endsAt = C.publicityEndsAt(state);
    // Nobody to publish: no period, and no deadline.
    state.deadline = endsAt ?? undefined;
    const period = endsAt !== null && endsAt > Date.now() ? { at: endsAt, summary: '公示期' } : undefined;
    const open = cycle.gateOpen();
    // Past the period a closed gate is what the stage waits for: named as in every other stage, not a
    // period already over (found from outside). Only the text: the default rule's holds, no patch asked.
    cycle.describe(!period && !open ? C.gateClosedBecause(state) : publicityText(state, endsAt));
    if (!period && open) return;
    // Woken by the period's end or by any change (a nominee held or dropped, a hold released).
    const seen = state.version;
    await cycle.waitFor(() => state.version !== seen, period);
  }
}

function publicityText(state: C.CycleState, endsAt: number | null) {
  return endsAt === null ? C.nothingToPublish(state) : `任职公示中，公示期至 ${beijingDeadlineText(endsAt)}`;
}

/**
 * Runs a deadline computation; if the calendar lacks a year, the cycle is held (not failed) until an
 * organizer supplies that year through addCalendarYear (the rule in deadlines.ts).
 */
async function withCalendar(cycle: Cycle, compute: () => void) {
  const { state } = cycle;
  for (;;) {
    try {
      compute();
      break;
    } catch (e) {
      const missing = calendarGap(e);
      cycle.describe(`工作日历缺少数据：${missing}`);
      const raise = !state.holds.some((h) => h.name === CALENDAR_HOLD);
      if (raise) {
        C.applyAddHold(state, { name: CALENDAR_HOLD, reason: missing, source: 'calendar' }, SYSTEM, Date.now());
        cycle.bump();
      }
      // Snapshot before awaiting: the year may arrive while the record is being written.
      const seen = state.version;
      if (raise) await cycle.record('hold.added', SYSTEM, { name: CALENDAR_HOLD, reason: missing });
      await cycle.waitFor(() => state.version !== seen);
    }
  }
  if (state.holds.some((h) => h.name === CALENDAR_HOLD)) {
    C.applyReleaseHold(state, { name: CALENDAR_HOLD, resolution: 'calendar data supplied' });
    cycle.bump();
    await cycle.record('hold.released', SYSTEM, { name: CALENDAR_HOLD });
  }
}
