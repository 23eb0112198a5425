/**
 * The cycle as an entity: its state, and what the stages and the message handlers share — taking
 * and answering an input, the gate, waiting (which an abort or a history grown long ends), moving
 * to the next stage, the record, the supervision beside it, and the one line that says what the
 * cycle waits for. The story that drives it is `cycleWorkflow` (../cycle.ts), the stages ./stages.ts.
 */
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createRecordActivities } from '../../activities/record.js';
import { beijingDeadlineText } from '../../domain/beijing.js';
import type { YearOverride } from '../../domain/calendar.js';
import * as C from '../../domain/cycle.js';
import { SYSTEM } from '../../domain/events.js';
import { campaignWorkflowId, supervisionWorkflowId } from '../../domain/ids.js';
import type { Actor } from '../../domain/schemas.js';
import { STAGE_LABELS, type Stage } from '../../domain/stages.js';
import { PHASE_OPENS_AT } from '../../domain/supervision.js';
import { SA } from '../../temporal/search-attributes.js';
import { cycleFinishedSignal } from '../contracts/campaign.js';
import type {
  CycleActForRecord,
  CycleActsForRecord,
  CycleResult,
  CycleWorkflow,
  CycleWorkflowInput,
  InputAccepted,
} from '../contracts/cycle.js';
import {
  cycleStageSignal,
  supervisionCalendarYearSignal,
  supervisionWorkflowType,
  type SupervisionWorkflow,
} from '../contracts/supervision.js';
import { keepDeadlineAttributes, type DeadlineAttributes } from '../deadline-attributes.js';
import { cycleDeadlineView } from '../deadline-views.js';
import { actOrTimeout } from '../deadlines.js';
import { guard } from '../guard.js';
import { CYCLE_STATE_ARRAYS } from '../../domain/projection.js';
import { projection } from '../projection.js';
import { MAX_UNRECORDED, RECORD_OPTIONS, UNRECORDED_WITHIN_MS, oneAtATime, recordActivity } from '../record.js';
import { askTasksNeverEmpty } from '../tasks-never-empty.js';
import type { CycleInput } from './inputs.js';

/** Continue as new well before Temporal's 10,240-event warning, whatever the server suggests. */
const MAX_HISTORY_EVENTS = 4_000;
/**
 * ... and once a run has added 2 MiB: a page of history must stay under gRPC's default 4 MB message
 * for a worker to replay it. Counted from the run's start, which carries the whole state.
 */
const MAX_RUN_GROWTH_BYTES = 2 * 1024 * 1024;
/** Retries come within minutes; the latest answers are enough to recognise them. */
const REMEMBERED_ANSWERS = 200;
/**
 * ... but a burst of inputs to one cycle (hundreds at once, a long-lived cycle continuing as new in the
 * middle) outran 200: a retry with its key of a hold taken ~300 inputs earlier met the new run's check
 * and was refused "already open" (found from outside). Patch `remember-1000-answers`; ~200 KB in the
 * next run's input at the most.
 */
const MORE_REMEMBERED_ANSWERS = 1_000;

/** Acts as an answer carries them: every event, the latest cycle row, each person's latest row. */
function compact(acts: CycleActForRecord[]): CycleActsForRecord {
  const people = new Map<string, C.PersonRow>();
  for (const act of acts) for (const p of act.people) people.set(p.personId, p);
  return { events: acts.map((a) => a.event), row: acts.at(-1)!.row, people: [...people.values()] };
}

/** The stages supervision acts on: its checkpoints open there (launch is its start), and it ends with the cycle. */
const TOLD_TO_SUPERVISION = new Set<Stage>([...Object.values(PHASE_OPENS_AT), 'closed']);

/** An act about more people than this is recorded by the cycle itself, not handed to a sender. */
const MAX_PEOPLE_HANDED_OUT = 50;

/** Thrown out of any wait once the cycle is aborted: the story stops there and winds down. */
export class CycleAborted extends Error {}

export class Cycle {
  readonly state: C.CycleState;
  /** The record's sequence, carried across runs so audit keys stay unique. */
  private seq: number;
  /** Recent inputs' update ids and answers, carried across runs so a retry acts once. */
  private readonly answers: Map<string, InputAccepted>;
  /** Asked once, the first time more than REMEMBERED_ANSWERS are remembered. */
  private remembersMore: boolean | undefined;
  /** Update ids being taken now (their handler runs), not yet answered. */
  private readonly taking = new Set<string>();
  /** Each person's row as last sent to the record (a new run sends each once more). */
  private readonly sentRows = new Map<string, string>();
  /** Records, starts and signals under way: a run does not end with any of them pending. */
  private inflight = 0;
  /** Records are written one at a time (a replay must meet their results in the same order). */
  private readonly oneByOne = oneAtATime('records-one-at-a-time');
  /** Asked first thing in a run, and standing for the two patches below (one marker): ../tasks-never-empty.ts. */
  private readonly tasksNeverEmpty = askTasksNeverEmpty();
  /**
   * Asked first thing in a run (and standing for senders-record-acts, which it implies: one marker):
   * whether supervision is told only the stages it acts on (TOLD_TO_SUPERVISION) — each stage told
   * cost both workflows a signal and a workflow task; inputs that need the stage carry it from the API.
   */
  private readonly phasesOnly = this.tasksNeverEmpty || patched('supervision-told-phases');
  /**
   * Asked first thing in a run: whether the acts taken while an input waits for its answer go to its
   * sender to record (contracts/cycle.ts CycleActForRecord) instead of through an activity each ...
   */
  private readonly sendersRecord = this.phasesOnly || patched('senders-record-acts');
  /** ... and which activity writes the cycle's own records. */
  private readonly writeRecord = recordActivity<ReturnType<typeof createRecordActivities>, 'recordCycleEvent'>(
    'recordCycleEvent',
    this.sendersRecord,
  );
  /** Inputs being taken and not yet answered: acts taken meanwhile go with the answer. */
  private answering = 0;
  /** Acts handed (or to be handed) to senders and not yet in one of this cycle's own records. */
  private readonly unrecorded: CycleActForRecord[];
  /** Writes acts handed to senders when the cycle records them itself without an act of its own. */
  private readonly writeAnswered =
    proxyActivities<ReturnType<typeof createRecordActivities>>(RECORD_OPTIONS).recordCycleAnswer;
  private lastRecordedVersion = -1;
  private closeRecorded = false;
  /** This run waits to continue as new (nothing new is started meanwhile). */
  private continuing = false;
  /** Between an open gate and the record of the next stage (an activity may run there). */
  private advancing = false;
  private lastAttrs = '';
  private readonly runStartBytes = workflowInfo().historySize;
  private readonly deadlines: DeadlineAttributes;
  /** The state as GET /v1/cycles/{id} reads it from Postgres; candidates and nominees row by row. */
  private readonly projected = projection(() => this.state, CYCLE_STATE_ARRAYS);

  constructor(private readonly input: CycleWorkflowInput) {
    this.state = input.resume?.state ?? C.initialCycleState(input.cycleId, input, input.jurisdiction, Date.now());
    this.seq = input.resume?.seq ?? 0;
    this.answers = new Map(input.resume?.answers ?? []);
    this.unrecorded = [...(input.resume?.unrecorded ?? [])];
    // HuanjieDeadline and HuanjieOverdue follow the stage's deadline (the publicity period).
    this.deadlines = keepDeadlineAttributes(() => cycleDeadlineView(this.state));
  }

  /** This run continues an earlier one: the cycle's start is on the record already. */
  get continued(): boolean {
    return this.input.resume !== undefined;
  }

  // ---- beginning and end -----------------------------------------------------------------------

  /** Puts the start on the record and starts conduct supervision beside the cycle. */
  async begin() {
    await this.record('cycle.started', this.input.startedBy, {
      positions: this.input.positions,
      committees: this.input.committees,
      policyVersion: this.input.policy.version,
    });
    // It outlives the cycle only to finish its own records; told of each stage by its id.
    await startChild<SupervisionWorkflow>(supervisionWorkflowType, {
      workflowId: supervisionWorkflowId(this.state.cycleId),
      args: [{ cycleId: this.state.cycleId, jurisdictionId: this.state.jurisdiction.id, policy: this.state.policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${this.state.jurisdiction.name} ${this.state.term} 换届风气监督`,
      typedSearchAttributes: [
        { key: SA.cycle, value: this.state.cycleId },
        { key: SA.jurisdiction, value: this.state.jurisdiction.id },
        { key: SA.term, value: this.state.term },
      ],
    });
  }

  async close() {
    this.state.status = 'closed';
    this.describe('已完成');
    await this.record('cycle.closed', SYSTEM, { results: this.state.results, outcome: this.state.outcome });
    this.closeRecorded = true;
  }

  /** After an abort: says so, and supervision closes with the cycle. */
  async windDownAborted() {
    this.describe(C.abortedSays(this.state));
    await this.tellSupervision('closed');
  }

  /** A cycle launched by a campaign tells it that it has ended; a campaign already gone needs no word. */
  async tellCampaign() {
    if (!this.input.campaignId) return;
    await getExternalWorkflowHandle(campaignWorkflowId(this.input.campaignId))
      .signal(cycleFinishedSignal, { cycleId: this.state.cycleId, status: this.endedAs() })
      .catch(() => undefined);
  }

  /** Once every handler and everything in flight (a late candidate's outcome) is done: the result. */
  async finish(): Promise<CycleResult> {
    await condition(() => allHandlersFinished() && this.inflight === 0);
    this.deadlines.settle();
    const s = this.state;
    return {
      cycleId: s.cycleId,
      status: this.endedAs(),
      results: s.results,
      ...(s.outcome ? { outcome: s.outcome } : {}),
      ...(s.statusReason && s.status === 'aborted' ? { reason: s.statusReason } : {}),
    };
  }

  private endedAs(): CycleResult['status'] {
    return this.state.status === 'aborted' ? 'aborted' : 'closed';
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /** The validator: parses and checks without touching state, so a rejection leaves no trace. */
  vet<I>(spec: CycleInput<I>, raw: I) {
    if (this.answerGiven()) return; // a retry: take() answers it without acting again
    // A second copy of an input still being taken (the server sent it again after aborting it while
    // reloading the workflow): take() answers it with the first copy's answer. Checked again, it was
    // refused by what the first copy did — a release answered 404 "no open hold" by the very request
    // that released it (found from outside).
    if (this.beingTaken()) return;
    guard(() => spec.check(this.state, spec.schema().parse(raw)));
  }

  /**
   * The handler: applies the input, puts it on the record, and answers once its consequences are
   * drawn — the next stage entered (and recorded), or why the stage waits — so the next input can
   * follow at once. `passOn` tells others of it (candidates of a calendar year).
   */
  async take<I>(spec: CycleInput<I>, raw: I, actor: Actor, passOn?: (input: I) => void): Promise<InputAccepted> {
    const updateId = currentUpdateInfo()?.id;
    const earlier = this.answerGiven();
    if (earlier) return earlier;
    if (updateId === undefined) return this.takeOnce(spec, raw, actor, passOn);
    if (this.taking.has(updateId) && patched('second-copy-waits-for-first')) {
      await condition(() => !this.taking.has(updateId));
      const first = this.answerGiven();
      if (first) return first;
      // The first copy failed without an answer: this one is a new input, checked as one.
      guard(() => spec.check(this.state, spec.schema().parse(raw)));
    }
    this.taking.add(updateId);
    try {
      return await this.takeOnce(spec, raw, actor, passOn);
    } finally {
      this.taking.delete(updateId);
    }
  }

  private beingTaken(): boolean {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && this.taking.has(id);
  }

  private async takeOnce<I>(
    spec: CycleInput<I>,
    raw: I,
    actor: Actor,
    passOn?: (input: I) => void,
  ): Promise<InputAccepted> {
    const updateId = currentUpdateInfo()?.id;
    const input = spec.schema().parse(raw);
    const before = this.summary();
    this.answering++;
    try {
      spec.apply(this.state, input, Date.now(), actor);
      passOn?.(input);
      this.bump();
      await this.record(
        spec.action,
        actor,
        { input: input as Record<string, unknown> },
        before,
        spec.touchesEveryone ? 'all' : undefined,
      );
      await condition(() => this.settled());
    } finally {
      this.answering--;
    }
    if (this.stageReady() && !this.gateOpen() && this.state.status !== 'aborted')
      this.describe(C.gateClosedBecause(this.state, this.blocking()));
    const s = this.state;
    const answer: InputAccepted = {
      cycleId: s.cycleId,
      version: s.version,
      stage: s.stage,
      status: s.status,
      waitingFor: s.waitingFor,
    };
    // Remembered without the acts: a retry in a later run finds them carried over, for the cycle's
    // own next record to write.
    if (updateId !== undefined) this.remember(updateId, answer);
    return { ...answer, ...this.handOut() };
  }

  /** A message that needs no check (a candidate's outcome): the acts it leads to go with the answer. */
  hear(apply: () => void): { forRecord?: CycleActsForRecord } {
    this.answering++;
    try {
      apply();
    } finally {
      this.answering--;
    }
    return this.handOut();
  }

  /**
   * Every act not yet in one of the cycle's own records, for this answer's sender to record: a sender
   * that died before writing is covered by the next one, and an answer always means that every act
   * before it is on the record too.
   */
  private handOut(): { forRecord?: CycleActsForRecord } {
    return this.unrecorded.length > 0 ? { forRecord: compact(this.unrecorded) } : {};
  }

  /**
   * ... and by the cycle itself within UNRECORDED_WITHIN_MS of an answer, if no record of its own has
   * come first (one timer per quiet spell with acts outstanding), or at once when MAX_UNRECORDED are
   * outstanding. Runs for the life of a run (patch senders-record-acts).
   */
  async recordAnsweredActs() {
    if (!this.sendersRecord) return;
    // A run about to continue as new hands them to the next run instead: a record started now would
    // keep it waiting, and inputs arriving meanwhile could keep it waiting for good.
    for (;;) {
      await condition(() => this.unrecorded.length > 0 && !this.continuing);
      await actOrTimeout(
        () => this.unrecorded.length >= MAX_UNRECORDED.cycle || this.continuing,
        UNRECORDED_WITHIN_MS + Date.now(),
      );
      if (this.unrecorded.length > 0 && !this.continuing)
        await this.tracked(this.oneByOne(() => this.recordUnrecorded()));
    }
  }

  private async recordUnrecorded() {
    if (this.unrecorded.length > 0) await this.withUnrecorded((earlier) => this.writeAnswered(earlier));
  }

  /** Writes with every act handed to a sender so far (in case one died first), then forgets them. */
  private async withUnrecorded(write: (earlier: CycleActsForRecord | undefined) => Promise<void>) {
    const earlier = this.unrecorded.slice();
    await write(earlier.length > 0 ? compact(earlier) : undefined);
    this.unrecorded.splice(0, earlier.length);
  }

  /**
   * Temporal answers a repeated update id with the first result only within one run; across a
   * continue-as-new the cycle remembers its recent answers itself, so a retried input (the same
   * Idempotency-Key) still acts once.
   */
  private answerGiven(): InputAccepted | undefined {
    const id = currentUpdateInfo()?.id;
    return id === undefined ? undefined : this.answers.get(id);
  }

  private remember(updateId: string, answer: InputAccepted) {
    this.answers.set(updateId, answer);
    if (this.answers.size <= REMEMBERED_ANSWERS) return;
    this.remembersMore ??= patched('remember-1000-answers');
    const limit = this.remembersMore ? MORE_REMEMBERED_ANSWERS : REMEMBERED_ANSWERS;
    while (this.answers.size > limit) this.answers.delete(this.answers.keys().next().value!);
  }

  /**
   * Whether the stages have drawn every consequence of the inputs so far: nothing left that they
   * will do by themselves without another input, a timer or a candidate's outcome.
   */
  private settled() {
    const s = this.state;
    if (s.status === 'aborted') return true;
    if (this.advancing) return false;
    // The input that closes the cycle is answered once the close is on the record (in runs from
    // before the patch, once it is decided), so its sender never writes a stage the close overtook.
    if (s.stage === 'closed') return s.status === 'closed' && (!this.sendersRecord || this.closeRecorded);
    return !(this.stageReady() && this.gateOpen());
  }

  /** The stage's own work is done (its input, or every candidate's outcome); only the gate may keep it. */
  private stageReady() {
    return this.state.stageDone || (this.state.stage === 'inspection' && C.inspectionDone(this.state));
  }

  // ---- gate, waits and the next stage ----------------------------------------------------------

  gateOpen() {
    return this.state.status === 'running' && this.blocking().length === 0;
  }

  /**
   * The holds at the gate. A hold on a nominee dropped after passing inspection shut the gate in runs
   * before `holds-follow-the-nominee`, and one on a candidate the committee's vote left out (neither
   * nominee nor reserve) in runs before `holds-follow-the-vote`. Each patch is asked only where its
   * rule parts from the one before, so other histories are unchanged.
   */
  private blocking() {
    // Each newer rule only ever leaves holds out.
    const first = C.blockingHolds(this.state, { voteDecides: false });
    const before = C.blockingHolds(this.state, { nomineeDecides: false, voteDecides: false });
    const nomineeDecides = first.length === before.length || patched('holds-follow-the-nominee');
    const followNominee = nomineeDecides ? first : before;
    const now = C.blockingHolds(this.state, { nomineeDecides });
    if (now.length === followNominee.length) return followNominee;
    return patched('holds-follow-the-vote') ? now : followNominee;
  }

  /** Waits for an open gate; what keeps it closed is said in so many words (the UI and every answer show it). */
  async passGate() {
    if (!this.gateOpen()) this.describe(C.gateClosedBecause(this.state, this.blocking()));
    await this.waitFor(() => this.gateOpen());
  }

  /**
   * Waits for `pred`, or until `timer.at` if given. An abort ends the wait (and the stages) wherever
   * it happens; a history grown long ends this run, and the next one starts from the state and waits
   * again.
   */
  async waitFor(pred: () => boolean, timer?: { at: number; summary: string }): Promise<'acted' | 'timed out'> {
    const outcome = await actOrTimeout(
      () => this.state.status === 'aborted' || pred() || this.historyTooLong(),
      timer?.at,
      timer?.summary,
    );
    if (this.state.status === 'aborted') throw new CycleAborted();
    if (outcome === 'acted' && !pred()) await this.continueWithNewRun();
    return outcome;
  }

  /** Moves to the next stage and records it; `beforeAdvance` runs first (candidates opening). */
  async advance(beforeAdvance?: () => Promise<void>) {
    this.advancing = true;
    await beforeAdvance?.();
    // An abort that landed while the stage's last work ran (candidates opening) stops the cycle here,
    // before the next stage is entered or supervision told of it. Before this patch such a cycle
    // entered the stage first; asked only then, so other histories are unchanged.
    if (this.state.status === 'aborted' && patched('abort-stops-advance')) throw new CycleAborted();
    const from = this.state.stage;
    C.enterStage(this.state, Date.now());
    this.state.waitingFor = `进入${STAGE_LABELS[this.state.stage]}`;
    this.bump();
    // Supervision opens its checkpoints as the cycle reaches them.
    void this.tellSupervision(this.state.stage);
    await this.record('stage.entered', SYSTEM, { from, to: this.state.stage });
    this.advancing = false;
  }

  private historyTooLong() {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      info.historyLength > (this.input.maxHistoryEvents ?? MAX_HISTORY_EVENTS) ||
      info.historySize - this.runStartBytes > MAX_RUN_GROWTH_BYTES
    );
  }

  /** Hands the state to a new run once nothing is half done: no handler running, nothing in flight. */
  private async continueWithNewRun(): Promise<never> {
    this.continuing = true;
    await condition(() => allHandlersFinished() && this.inflight === 0);
    return continueAsNew<CycleWorkflow>({
      ...this.input,
      resume: {
        state: this.state,
        seq: this.seq,
        answers: [...this.answers],
        ...(this.unrecorded.length > 0 ? { unrecorded: this.unrecorded } : {}),
      },
    });
  }

  /** Counts work in flight, so no run ends (or continues as new) with any of it pending. */
  tracked<T>(work: Promise<T>): Promise<T> {
    this.inflight++;
    return work.finally(() => this.inflight--);
  }

  /** Waits until no record, start or signal is under way. */
  async nothingInFlight() {
    await condition(() => this.inflight === 0);
  }

  /**
   * A year supplied to the cycle goes on to its supervision too: its checkpoints due in that year had
   * no deadline (found from outside). Asked only when a year is supplied, so other histories are unchanged.
   */
  tellSupervisionCalendarYear(year: YearOverride) {
    if (!patched('calendar-year-to-supervision')) return;
    void this.tracked(
      getExternalWorkflowHandle(supervisionWorkflowId(this.state.cycleId))
        .signal(supervisionCalendarYearSignal, year)
        .catch(() => undefined),
    );
  }

  /** By the supervision's id: a continued run has no child handle. One that has ended needs no word. */
  private async tellSupervision(stage: Stage) {
    if (this.phasesOnly && !TOLD_TO_SUPERVISION.has(stage)) return;
    await this.tracked(
      getExternalWorkflowHandle(supervisionWorkflowId(this.state.cycleId))
        .signal(cycleStageSignal, stage)
        .catch(() => undefined),
    );
  }

  // ---- what the cycle says about itself --------------------------------------------------------

  /** The state changed: its version moves on (waits watch it) and the UI's line follows. */
  bump() {
    this.state.version++;
    this.render();
  }

  /** What the cycle waits for now, in one line. */
  describe(waitingFor: string) {
    this.state.waitingFor = waitingFor;
    this.render();
  }

  /** Keeps the UI's one-line "what does it wait for" and the operators' filters in step with the state. */
  private render() {
    this.projected.changed();
    const s = this.state;
    const holds = this.blocking().map((h) => h.name);
    const gate =
      s.status === 'suspended'
        ? ` · 已暂停（${s.statusReason ?? ''}）`
        : holds.length > 0
          ? ` · 关口暂停，待解除：${holds.join('、')}`
          : '';
    const until = s.deadline ? ` · 截止 ${beijingDeadlineText(s.deadline)}` : '';
    // The last part tells operators how to list this cycle's candidates (and its supervision) in the UI.
    setCurrentDetails(
      `**${STAGE_LABELS[s.stage]}** (${s.stage}) — ${s.waitingFor}${gate}${until} · 考察对象及监督：HuanjieCycle = '${s.cycleId}'`,
    );
    const attrs = `${s.stage}|${s.status}`;
    if (attrs === this.lastAttrs) return;
    this.lastAttrs = attrs;
    upsertSearchAttributes([
      { key: SA.stage, value: s.stage },
      { key: SA.status, value: s.status },
    ]);
  }

  private summary() {
    return { stage: this.state.stage, status: this.state.status, holds: this.state.holds.map((h) => h.name) };
  }

  // ---- the record --------------------------------------------------------------------------------

  /**
   * Puts an act on the record: the audit event, the cycle's row and the people it touched ('all' when
   * a stage decided about everybody), in one idempotent write. Of those people only the rows that
   * changed since they were last sent go, so a vote on six nominees among a thousand candidates
   * writes six rows. The full state goes only at the end.
   */
  async record(
    action: string,
    actor: Actor,
    detail?: Record<string, unknown>,
    before?: Record<string, unknown>,
    people?: readonly string[] | 'all',
  ) {
    const s = this.state;
    // Every act has a version of its own: the rows it writes move forward by version, and acts now
    // reach Postgres from several hands in any order (an equal version would let an older act win).
    if (this.sendersRecord && s.version === this.lastRecordedVersion) this.bump();
    this.lastRecordedVersion = s.version;
    const key = `${workflowInfo().workflowId}#${++this.seq}`;
    const ended = s.status === 'closed' || s.status === 'aborted';
    // The record is made now (the state as this act left it), written once the records before it are.
    const act: CycleActForRecord = {
      event: {
        key,
        at: Date.now(),
        actor,
        subjectType: 'cycle',
        subjectId: s.cycleId,
        cycleId: s.cycleId,
        jurisdictionId: s.jurisdiction.id,
        action,
        ...(before ? { before } : {}),
        after: this.summary(),
        ...(detail ? { detail } : {}),
      },
      row: C.cycleRow(s),
      people: this.changedRows(people === 'all' || ended ? C.personRows(s) : C.personRows(s, people ?? [])),
    };
    // Taken while an input waits for its answer: its sender records it — except the end, and an act
    // about many people (a round or a decision over a whole slate), which would ride in every answer
    // until recorded here; these go through here.
    if (this.sendersRecord && this.answering > 0 && !ended && act.people.length <= MAX_PEOPLE_HANDED_OUT) {
      this.unrecorded.push(act);
      return;
    }
    if (!this.sendersRecord) {
      const args = [act.event, act.row, act.people, ...(ended ? [s] : [])] as const;
      await this.tracked(this.oneByOne(() => this.writeRecord(...args)));
      return;
    }
    await this.tracked(
      this.oneByOne(() =>
        this.withUnrecorded((earlier) =>
          this.writeRecord(act.event, act.row, act.people, ended ? s : undefined, earlier),
        ),
      ),
    );
  }

  private changedRows(rows: C.PersonRow[]): C.PersonRow[] {
    return rows.filter((row) => {
      const sent = JSON.stringify(row);
      if (this.sentRows.get(row.personId) === sent) return false;
      this.sentRows.set(row.personId, sent);
      return true;
    });
  }
}
