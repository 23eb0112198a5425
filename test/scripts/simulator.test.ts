/**
 * The simulator plays the full committee: its vote must be one the API takes, however long the
 * shortlist (bench measurement 3 shortlists 50 per post against a committee of 31).
 */
import { describe, expect, it } from 'vitest';
import { committeeVoteSchema } from '../../domain/eager/cycle.js';
import { committeeVotes } from '../../scripts/simulator.js';

describe("the simulator's committee vote", () => {
  it('gives every member to the first seats, then one fewer each, never below none', () => {
    const personIds = Array.from({ length: 50 }, (_, i) => `m-${i + 1}`);
    const votes = committeeVotes([{ positionId: 'members1', personIds }], [{ id: 'members1', seats: 50 }], 31);
    expect(committeeVoteSchema.safeParse({ present: 31, votes }).success).toBe(true);
    expect(votes.every((v) => v.inFavor === 31)).toBe(true);

    const longer = committeeVotes(
      [{ positionId: 'deputy', personIds: Array.from({ length: 40 }, (_, i) => `d-${i + 1}`) }],
      [{ id: 'deputy', seats: 2 }],
      31,
    );
    expect(committeeVoteSchema.safeParse({ present: 31, votes: longer }).success).toBe(true);
    // No tie across the last seat: the second and the third differ.
    expect(longer.slice(0, 4).map((v) => v.inFavor)).toEqual([31, 31, 30, 29]);
    expect(Math.min(...longer.map((v) => v.inFavor))).toBe(0);
  });
});
