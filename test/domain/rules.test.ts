import { describe, expect, it } from 'vitest';
import { atLeast, fillSeats, majorityNeeded, moreThan, quorumNeeded, selectTop } from '../../domain/rules.js';

const twoThirds = { num: 2, den: 3 };
const half = { num: 1, den: 2 };

describe('committee quorum (≥ 2/3 of members present)', () => {
  it('31 members: 20 present is not a quorum, 21 is', () => {
    expect(atLeast(20, 31, twoThirds)).toBe(false);
    expect(atLeast(21, 31, twoThirds)).toBe(true);
    expect(quorumNeeded(31, twoThirds)).toBe(21);
  });
  it('an exact two thirds is enough (12 of 18)', () => {
    expect(atLeast(12, 18, twoThirds)).toBe(true);
    expect(atLeast(11, 18, twoThirds)).toBe(false);
  });
});

describe('committee decision (> 1/2 of ALL members)', () => {
  it('31 members: 16 passes, 15 does not', () => {
    expect(moreThan(16, 31, half)).toBe(true);
    expect(moreThan(15, 31, half)).toBe(false);
    expect(majorityNeeded(31, half)).toBe(16);
  });
  it('an even committee needs more than half: 30 members, 15 fails, 16 passes', () => {
    expect(moreThan(15, 30, half)).toBe(false);
    expect(moreThan(16, 30, half)).toBe(true);
  });
});

describe('inspection candidates: top ratio × seats by votes', () => {
  const t = (personId: string, votes: number, tiebreak = 0) => ({ personId, name: personId, votes, tiebreak });

  it('takes the top N', () => {
    const s = selectTop([t('a', 10), t('b', 30), t('c', 20), t('d', 5)], 3);
    expect(s.selected).toEqual(['b', 'c', 'a']);
    expect(s.tieAtCut).toBe(false);
    expect(s.ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
  });

  it('breaks a tie by full-committee votes first', () => {
    const s = selectTop([t('a', 20, 5), t('b', 20, 9), t('c', 30)], 2);
    expect(s.selected).toEqual(['c', 'b']);
  });

  it('keeps everybody still tied at the cut line, and says so', () => {
    const s = selectTop([t('a', 30), t('b', 20, 4), t('c', 20, 4), t('d', 10)], 2);
    expect(s.selected).toEqual(['a', 'b', 'c']);
    expect(s.tieAtCut).toBe(true);
    expect(s.ranking.find((r) => r.personId === 'c')!.rank).toBe(2);
  });

  it('never selects people with no votes', () => {
    expect(selectTop([t('a', 3), t('b', 0)], 3).selected).toEqual(['a']);
  });
});

describe('election seats (> 1/2 of valid ballots)', () => {
  const clears = (ballots: number) => (v: number) => moreThan(v, ballots, half);

  it('elects the top vote-getters over the bar', () => {
    expect(
      fillSeats(
        [
          { personId: 'a', votes: 151 },
          { personId: 'b', votes: 150 },
        ],
        1,
        clears(300),
      ),
    ).toEqual({ elected: ['a'], unfilled: 0 });
  });

  it('half exactly is not elected: the seat is reported unfilled', () => {
    const r = fillSeats([{ personId: 'a', votes: 150 }], 1, clears(300));
    expect(r.elected).toEqual([]);
    expect(r.unfilled).toBe(1);
    expect(r.reason).toMatch(/required majority/);
  });

  it('a tie for the last seat leaves it unfilled rather than choosing', () => {
    const r = fillSeats(
      [
        { personId: 'a', votes: 250 },
        { personId: 'b', votes: 200 },
        { personId: 'c', votes: 200 },
      ],
      2,
      clears(300),
    );
    expect(r.elected).toEqual(['a']);
    expect(r.unfilled).toBe(1);
    expect(r.reason).toMatch(/tie at 200/);
  });
});
