/**
 * The counting rules of selection (docs/domain.md: recommendation, decision, election). Pure functions, decided in integers.
 */
import type { Fraction } from './policy.js';

/** `count ≥ fraction × total`, exactly. */
export const atLeast = (count: number, total: number, f: Fraction) => count * f.den >= total * f.num;
/** `count > fraction × total`, exactly. */
export const moreThan = (count: number, total: number, f: Fraction) => count * f.den > total * f.num;

/** The smallest attendance that makes a valid meeting, e.g. 21 of 31 at 2/3. */
export const quorumNeeded = (members: number, f: Fraction) => Math.ceil((members * f.num) / f.den);
/** The smallest count that is more than the fraction, e.g. 16 of 31 at 1/2. */
export const majorityNeeded = (total: number, f: Fraction) => Math.floor((total * f.num) / f.den) + 1;

export interface Tally {
  personId: string;
  name: string;
  votes: number;
  /** Votes in the higher body (the full committee round), the first tiebreak. */
  tiebreak: number;
}

export interface Selection {
  /** Everybody, best first, with their rank (1-based; equal totals after the tiebreak share a rank). */
  ranking: (Tally & { rank: number })[];
  selected: string[];
  /** True when people tied at the cut line were all taken, making the list longer than the ratio. */
  tieAtCut: boolean;
}

/**
 * Inspection candidates: the top `perSeat × seats` by recommendation votes (both rounds summed).
 * Ties: first broken by full-committee votes; people still tied AT the cut line are all taken —
 * dropping one of equals arbitrarily (by name or id) would be unfair — and `tieAtCut` says so.
 * People with no votes are never selected.
 */
export function selectTop(tallies: Tally[], count: number): Selection {
  const sorted = [...tallies].sort(
    (a, b) =>
      b.votes - a.votes || b.tiebreak - a.tiebreak || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0),
  );
  const ranking = sorted.map((t, i) => {
    let rank = i + 1;
    for (let j = i - 1; j >= 0 && sorted[j]!.votes === t.votes && sorted[j]!.tiebreak === t.tiebreak; j--) rank = j + 1;
    return { ...t, rank };
  });
  const eligible = ranking.filter((r) => r.votes > 0);
  if (eligible.length <= count) return { ranking, selected: eligible.map((r) => r.personId), tieAtCut: false };
  const last = eligible[count - 1]!;
  const selected = eligible.filter((r, i) => i < count || r.rank === last.rank).map((r) => r.personId);
  return { ranking, selected, tieAtCut: selected.length > count };
}

export interface SeatResult {
  elected: string[];
  /** Seats nobody won; reported, never silently filled. */
  unfilled: number;
  reason?: string;
}

/**
 * Fills `seats` from people who each cleared the bar, most votes first. If people tied on votes
 * compete for the last seat(s), none of the tied takes them: the seats stay unfilled and the reason says why.
 */
export function fillSeats(
  people: { personId: string; votes: number }[],
  seats: number,
  clears: (votes: number) => boolean,
): SeatResult {
  const qualified = people.filter((p) => clears(p.votes)).sort((a, b) => b.votes - a.votes);
  if (qualified.length <= seats) {
    const unfilled = seats - qualified.length;
    return {
      elected: qualified.map((p) => p.personId),
      unfilled,
      ...(unfilled > 0 ? { reason: `${unfilled} seat(s) without a candidate over the required majority` } : {}),
    };
  }
  const cutVotes = qualified[seats - 1]!.votes;
  if (qualified[seats]!.votes !== cutVotes)
    return { elected: qualified.slice(0, seats).map((p) => p.personId), unfilled: 0 };
  const above = qualified.filter((p) => p.votes > cutVotes).map((p) => p.personId);
  return {
    elected: above,
    unfilled: seats - above.length,
    reason: `tie at ${cutVotes} votes for the last ${seats - above.length} seat(s); a further round is needed`,
  };
}

/**
 * 差额 floors (DOMAIN.md stages 3 and 6). The ratios are targets in both directions: more than the
 * ratio is refused, and fewer only with a recorded reason (not enough eligible people). For a post
 * the policy elects competitively the shortlist also never falls to seats or below — that would make
 * it 等额 — so seats + 1 is a floor no reason lifts.
 */
export interface RatioRule {
  /** The ratio as people say it, e.g. "1:3". */
  ratio: string;
  /** People the ratio asks for. */
  target: number;
  /** Fewer than this is refused even with a reason (0: no hard floor). */
  floor: number;
  /** More than this is refused (infinite: no ceiling). */
  max: number;
  /** 差额 (more people than seats required) or 等额 (as many as seats allowed). */
  kind: 'competitive' | 'uncontested';
}

/** Inspection candidates (考察对象) of a position: `perSeat` per seat, below only with a reason. */
export function inspectionRule(seats: number, perSeat: number): RatioRule {
  const target = perSeat * seats;
  // No ceiling here: a round may offer more people, and the list is cut at the target by selectTop
  // (people tied at the cut are all taken).
  return { ratio: `1:${perSeat}`, target, floor: 0, max: Number.POSITIVE_INFINITY, kind: 'competitive' };
}

/**
 * The standing committee's shortlist of a position. Competitive (差额) posts: at least the ratio
 * (below it only with a reason) and never fewer than seats + 1. Other (等额) posts: up to the ratio.
 */
export function shortlistRule(seats: number, perSeat: number, competitive: boolean): RatioRule {
  const ratioCount = perSeat * seats;
  if (!competitive) return { ratio: `1:${perSeat}`, target: 0, floor: 0, max: ratioCount, kind: 'uncontested' };
  const target = Math.max(ratioCount, seats + 1);
  return { ratio: `1:${perSeat}`, target, floor: seats + 1, max: target, kind: 'competitive' };
}

export type RatioVerdict =
  | { ok: true; below: false }
  /** Below the target but allowed because a reason was given. */
  | { ok: true; below: true; short: number }
  | { ok: false; rule: 'max' | 'floor' | 'target'; short: number; excess: number };

/** Judges `given` people against a rule; `hasReason` lifts the target (never the floor or the ceiling). */
export function judgeRatio(rule: RatioRule, given: number, hasReason: boolean): RatioVerdict {
  if (given > rule.max) return { ok: false, rule: 'max', short: 0, excess: given - rule.max };
  if (given < rule.floor) return { ok: false, rule: 'floor', short: rule.floor - given, excess: 0 };
  if (given >= rule.target) return { ok: true, below: false };
  if (hasReason) return { ok: true, below: true, short: rule.target - given };
  return { ok: false, rule: 'target', short: rule.target - given, excess: 0 };
}
