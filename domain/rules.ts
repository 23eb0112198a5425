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
