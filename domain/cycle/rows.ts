/**
 * Read-model rows: what activities write to Postgres. Small on purpose: the full state travels only
 * once, at close, so history size does not grow with candidates × events.
 */
import type { CycleStatus, Stage } from '../stages.js';
import type { Position } from './inputs.js';
import { activeNominees } from './rules.js';
import type { CandidateEntry, CycleState, Nominee, StopCause } from './state.js';

export interface CycleRow {
  id: string;
  jurisdictionId: string;
  term: string;
  level: string;
  stage: Stage;
  status: CycleStatus;
  waitingFor: string;
  deadline: number | null;
  version: number;
  startedAt: number;
  summary: {
    jurisdictionName: string;
    positions: Position[];
    holds: string[];
    candidates: number;
    nominees: number;
    shortfalls: { positionId: string; missing: number }[];
  };
}

export interface PersonRow {
  personId: string;
  name: string;
  positionId: string;
  candidateStatus: CandidateEntry['status'] | null;
  nomineeStatus: Nominee['status'] | null;
  detail: Record<string, unknown>;
}

export function cycleRow(s: CycleState): CycleRow {
  return {
    id: s.cycleId,
    jurisdictionId: s.jurisdiction.id,
    term: s.term,
    level: s.jurisdiction.level,
    stage: s.stage,
    status: s.status,
    waitingFor: s.waitingFor,
    deadline: s.deadline ?? null,
    version: s.version,
    startedAt: s.startedAt,
    summary: {
      jurisdictionName: s.jurisdiction.name,
      positions: s.positions,
      holds: s.holds.map((h) => h.name),
      candidates: s.candidates.length,
      nominees: activeNominees(s).length,
      shortfalls: s.shortfalls,
    },
  };
}

/** Rows for the given people (all of them when `ids` is omitted); a person's latest nominee entry wins. */
export function personRows(s: CycleState, ids?: readonly string[]): PersonRow[] {
  const wanted = ids ? new Set(ids) : undefined;
  const rows = new Map<string, PersonRow>();
  for (const c of s.candidates) {
    if (wanted && !wanted.has(c.personId)) continue;
    rows.set(c.personId, {
      personId: c.personId,
      name: c.name,
      positionId: c.positionId,
      candidateStatus: c.status,
      nomineeStatus: null,
      detail: {
        rank: c.rank,
        votes: c.votes,
        concerns: c.concerns,
        reason: c.reason,
        cause: c.cause,
        replaces: c.replaces,
      },
    });
  }
  for (const n of s.nominees) {
    const row = rows.get(n.personId);
    if (!row) continue;
    row.nomineeStatus = n.status;
    row.detail = {
      ...row.detail,
      inFavor: n.inFavor,
      electionVotes: n.votes,
      nomineeReason: n.reason,
      nomineeCause: n.cause,
      publicityEndsAt: n.publicityEndsAt,
    };
  }
  return [...rows.values()];
}

/**
 * Where a person stands in their cycle, as the cycle recorded them: a candidate's own inspection may
 * have passed while the cycle withdrew them (a substantiated report) or dropped them as a nominee.
 * `candidate`: passed or inspecting and no nominee (before the vote, a reserve, or not chosen).
 */
export const CANDIDACY_STATUSES = [
  'inspecting',
  'candidate',
  'stopped',
  'withdrawn',
  'nominee',
  'dropped',
  'approved',
  'rejected',
  'elected',
  'notElected',
] as const;
export interface Candidacy {
  status: (typeof CANDIDACY_STATUSES)[number];
  reason?: string;
  cause?: StopCause;
}

/** The candidacy a person's row records; `inspectionPassed` tells a withdrawal from a stop in inspection. */
export function candidacyOf(
  row: Pick<PersonRow, 'candidateStatus' | 'nomineeStatus' | 'detail'>,
  inspectionPassed: boolean,
): Candidacy {
  const d = row.detail as { reason?: string; cause?: StopCause; nomineeReason?: string; nomineeCause?: StopCause };
  const why = (reason?: string, cause?: StopCause) => ({
    ...(reason !== undefined ? { reason } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
  if (row.nomineeStatus !== null) {
    const status = row.nomineeStatus === 'published' ? 'nominee' : row.nomineeStatus;
    return { status, ...(status === 'dropped' || status === 'rejected' ? why(d.nomineeReason, d.nomineeCause) : {}) };
  }
  if (row.candidateStatus === 'stopped')
    return { status: inspectionPassed ? 'withdrawn' : 'stopped', ...why(d.reason, d.cause) };
  return { status: row.candidateStatus === 'inspecting' ? 'inspecting' : 'candidate' };
}
