/**
 * Where a refusal lands on a page: the API names list items two ways — `tallies.1.persons` (a schema
 * refusal, 400) and `tallies[1].persons` (a rule refusal, 422) — and the page has dropped blank rows,
 * so the API's index must be mapped back to the row the person typed in, whichever notation it came in.
 */
import { describe, expect, it } from 'vitest';
import { pagePath, type Renames } from '../../api/console/forms.js';

describe('pagePath', () => {
  // As bodyFrom records them: the API's item on the left is the page's row on the right (blank rows
  // dropped before the body was sent).
  const renames: Renames = [
    ['tallies.1', 'tallies.2'],
    ['tallies.1.persons.1', 'tallies.1.persons.3'],
  ];

  it('maps a schema refusal (dot notation) to the row typed in', () => {
    expect(pagePath('tallies.1.positionId', renames)).toBe('tallies.2.positionId');
    expect(pagePath('body.tallies.0.voters', renames)).toBe('tallies.0.voters');
  });

  it('maps a rule refusal (bracket notation) the same way', () => {
    expect(pagePath('tallies[1].positionId', renames)).toBe('tallies.2.positionId');
    expect(pagePath('tallies[1].persons[1].personId', renames)).toBe('tallies.1.persons.3.personId');
    expect(pagePath('tallies[0]', renames)).toBe('tallies.0');
  });
});
