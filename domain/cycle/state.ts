/**
 * The cycle's state: what a cycle workflow holds and answers queries with, and the state a new
 * cycle starts from. Types and one constructor; the rules that change it are in rules.ts.
 */
import type { Policy } from '../policy.js';
import type { Jurisdiction } from '../schemas.js';
import type { CycleStatus, Stage } from '../stages.js';
import type { RatioRule } from '../rules.js';
import type {
  AnalysisInput,
  ApprovalInput,
  CommitteeVoteInput,
  ElectionInput,
  HoldInput,
  LaunchInput,
  Position,
  RecommendationRound,
  Round,
  StandingCommitteeInput,
  StartCycleInput,
} from './inputs.js';

export type StopCause = 'report' | 'review' | 'violation' | 'other';

export interface CandidateEntry {
  personId: string;
  name: string;
  positionId: string;
  rank: number;
  votes: number;
  status: 'inspecting' | 'passed' | 'stopped';
  reason?: string;
  cause?: StopCause;
  concerns: string[];
  /** Entered inspection as the replacement of a stopped candidate. */
  replaces?: string;
  /** Set once the candidate's own workflow runs: until then it cannot take input. */
  opened?: boolean;
  firstPromotion?: boolean;
  /** Departments chased (催办) or escalated for this candidate's joint review. */
  lateReviews?: { departments: string[]; kind: 'chased' | 'escalated'; at: number }[];
}

export interface Nominee {
  personId: string;
  name: string;
  positionId: string;
  inFavor: number;
  status: 'published' | 'dropped' | 'approved' | 'rejected' | 'elected' | 'notElected';
  publishedAt?: number;
  publicityEndsAt?: number;
  reason?: string;
  cause?: StopCause;
  votes?: number;
}

/** A list drawn below its 差额 ratio, allowed because the organizer recorded why. */
export interface BelowRatio {
  stage: 'recommendation' | 'decision';
  positionId: string;
  /** A round's offer, the inspection list drawn from both rounds, or the standing committee's shortlist. */
  list: Round | 'inspection' | 'shortlist';
  ratio: string;
  required: number;
  given: number;
  reason: string;
  recordedAt: number;
}

/** How the standing committee's shortlist of a position was judged: 差额 (competitive) or 等额. */
export interface ShortlistRuling {
  positionId: string;
  seats: number;
  kind: RatioRule['kind'];
  /** 差额 or 等额, as people say it. */
  label: '差额' | '等额';
  ratio: string;
  /** People the ratio asks for (0 for 等额: no floor). */
  required: number;
  given: number;
  belowRatioReason?: string;
}

export interface Hold extends HoldInput {
  raisedAt: number;
  raisedBy: string;
  /** The raiser's scope, for holds raised by hand since 12-04 (older ones lack it). */
  raisedIn?: string;
  /** The raiser's roles, for the same holds. */
  raisedAs?: string[];
}

export interface PositionResult {
  positionId: string;
  title: string;
  seats: number;
  elected: { personId: string; name: string; votes: number }[];
  unfilled: number;
  reason?: string;
}

export interface CycleState {
  cycleId: string;
  jurisdiction: Jurisdiction;
  term: string;
  positions: Position[];
  committees: { standing: number; full: number };
  policy: Policy;
  status: CycleStatus;
  stage: Stage;
  startedAt: number;
  stageEnteredAt: number;
  /** Set when the stage's own input is complete and the cycle only waits for its gate. */
  stageDone: boolean;
  statusReason?: string;
  /** While suspended: the scope of the level that suspended it, which it is resumed (or aborted) from, or above. */
  suspendedIn?: string;
  holds: Hold[];
  launch?: LaunchInput & { recordedAt: number };
  analysis?: AnalysisInput & { recordedAt: number };
  recommendation: {
    rounds: Partial<Record<Round, Omit<RecommendationRound, 'round'> & { recordedAt: number }>>;
    /** Per position, everybody ranked; used again to find replacements. */
    ranking: Record<string, { personId: string; name: string; votes: number; rank: number }[]>;
    tieAtCut: string[];
    /** People marked as a first promotion in either round. */
    firstPromotion?: string[];
  };
  candidates: CandidateEntry[];
  /**
   * Per position, seats that could not be staffed: inspection could not hold the ratio, a nominee was
   * dropped with nobody left, or the full committee passed fewer people than seats — then `reason`
   * names the rule and who fell short of it.
   */
  shortfalls: { positionId: string; missing: number; reason?: string }[];
  decision: {
    standing?: StandingCommitteeInput & { recordedAt: number };
    /** Per position: competitive (差额) or not (等额), what the ratio asked and what was given. */
    shortlists?: ShortlistRuling[];
    vote?: CommitteeVoteInput & { recordedAt: number };
  };
  /** Lists below the 差额 ratio with their recorded reason (absent on cycles started before the rule). */
  belowRatio?: BelowRatio[];
  nominees: Nominee[];
  /** Per position, people who passed the vote but are not nominees: they move up if a nominee drops. */
  reserves: Record<string, string[]>;
  approval?: ApprovalInput & { recordedAt: number };
  election?: Omit<ElectionInput, 'results'> & { recordedAt: number };
  results: PositionResult[];
  outcome?: { effectiveComplaints: number; cadreViolations: number; massPetitions: number };
  /** One line for people and operators: what the cycle waits for. */
  waitingFor: string;
  deadline?: number;
  /** Bumped on every change; workflows wait on it. */
  version: number;
}

export function initialCycleState(
  id: string,
  input: Pick<StartCycleInput, 'term' | 'positions' | 'committees'> & { policy: Policy },
  jurisdiction: Jurisdiction,
  now: number,
): CycleState {
  return {
    cycleId: id,
    jurisdiction,
    term: input.term,
    positions: input.positions,
    committees: input.committees,
    policy: input.policy,
    status: 'running',
    stage: 'launch',
    startedAt: now,
    stageEnteredAt: now,
    stageDone: false,
    holds: [],
    recommendation: { rounds: {}, ranking: {}, tieAtCut: [] },
    candidates: [],
    shortfalls: [],
    belowRatio: [],
    decision: {},
    nominees: [],
    reserves: {},
    results: [],
    waitingFor: '',
    version: 0,
  };
}

/** How a candidate's inspection ended, as its workflow reports it to the cycle. */
export interface DossierOutcome {
  personId: string;
  result: 'passed' | 'stopped';
  reason?: string;
  cause?: StopCause;
  concerns: string[];
}
