import { describe, expect, it } from 'vitest';
import * as Id from '../../domain/ids.js';

describe('workflow ids and their keys', () => {
  it('give back the key each id was made from', () => {
    const cycle = Id.cycleId('440306', '2026');
    expect(Id.cycleKeyFromId(cycle)).toEqual({ jurisdictionId: '440306', term: '2026' });
    expect(Id.jurisdictionOfCycle(cycle)).toBe('440306');
    expect(Id.cycleIdFromWorkflowId(Id.cycleWorkflowId(cycle))).toBe(cycle);
    expect(Id.candidateKeyFromWorkflowId(Id.candidateWorkflowId(cycle, 'p-07'))).toEqual({
      cycleId: cycle,
      personId: 'p-07',
    });
    expect(Id.cycleIdFromSupervisionWorkflowId(Id.supervisionWorkflowId(cycle))).toBe(cycle);
    expect(Id.riskIdFromWorkflowId(Id.riskWorkflowId('r1'))).toBe('r1');
    expect(Id.reportIdFromWorkflowId(Id.reportWorkflowId('abc'))).toBe('abc');
    const campaign = Id.campaignId('440300', 'county', '2026');
    expect(Id.campaignKeyFromId(campaign)).toEqual({ rootId: '440300', level: 'county', term: '2026' });
    expect(Id.campaignIdFromWorkflowId(Id.campaignWorkflowId(campaign))).toBe(campaign);
  });

  it('refuse an id of another kind or shape instead of slicing it wrong', () => {
    expect(() => Id.cycleIdFromWorkflowId('report:abc')).toThrow(/not a cycle workflow id/);
    expect(() => Id.cycleKeyFromId('440306')).toThrow(/not a cycle id/);
    expect(() => Id.cycleKeyFromId('440306:2026:x')).toThrow(/not a cycle id/);
    expect(() => Id.candidateKeyFromWorkflowId('candidate:440306:2026')).toThrow(/not a candidate workflow id/);
    expect(() => Id.campaignKeyFromId('440300::2026')).toThrow(/not a campaign id/);
  });
});
