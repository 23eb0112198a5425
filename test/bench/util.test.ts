import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench/util.js';

describe('summarize', () => {
  // Measurement 7 gathers well over 100,000 reads of a kind; spreading them into Math.max overflowed the stack
  // and lost the whole run's numbers.
  it('summarizes more samples than fit in one call’s arguments', () => {
    const ms = Array.from({ length: 500_000 }, (_, i) => (i % 1000) + 1);
    ms[123_456] = 4321;
    expect(summarize(ms)).toMatchObject({ n: 500_000, max: 4321, over1s: 1 });
  });

  it('has no maximum for no samples', () => {
    expect(summarize([]).max).toBeNaN();
  });
});
