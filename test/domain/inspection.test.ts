import { describe, expect, it } from 'vitest';
import * as I from '../../domain/eager/inspection.js';
import { policySchema } from '../../domain/eager/policy.js';

const policy = policySchema.parse({});
const classify = (items: I.PersonalMattersInput['items']) => I.classifyPersonalMatters({ items }, policy);

describe('personal matters: omission (漏报) or concealment (瞒报)', () => {
  it('identical declared and verified values are consistent', () => {
    expect(classify([{ item: 'realEstate', declared: 2, verified: 2, deliberate: false }])).toEqual({
      outcome: 'consistent',
      discrepancies: [],
    });
  });

  it('one undeclared flat is an omission; two are a concealment (policy: 2 units)', () => {
    expect(
      classify([{ item: 'realEstate', declared: 1, verified: 2, deliberate: false }]).discrepancies[0],
    ).toMatchObject({ kind: 'omission', rule: expect.stringMatching(/omission/) });
    expect(
      classify([{ item: 'realEstate', declared: 1, verified: 3, deliberate: false }]).discrepancies[0],
    ).toMatchObject({ kind: 'concealment', rule: expect.stringMatching(/at least 2 undeclared units of 房产/) });
  });

  it("a rule names the policy's threshold, never a sealed value or the difference between them", () => {
    // The rule goes where the sealed figures may not: the candidate's history, its GET, the timeline, the
    // ledger. A difference with one figure known gives the other away (found from outside).
    const r = classify([
      { item: 'investments', declared: 100_000, verified: 5_234_567, deliberate: false },
      { item: 'realEstate', declared: 1, verified: 8, deliberate: false },
      { item: 'insurance', declared: 3, verified: 4, deliberate: false },
      { item: 'spouseAbroad', declared: false, verified: '加拿大', deliberate: false },
    ]);
    expect(r.discrepancies.map((d) => d.kind)).toEqual(['concealment', 'concealment', 'omission', 'concealment']);
    for (const d of r.discrepancies) {
      for (const value of ['100000', '5234567', '5134567', '8', '7', '3', '4', '加拿大'])
        expect(d.rule).not.toContain(value);
    }
  });

  it('a spouse abroad declared as none is a concealment; a wrong insurance count is not', () => {
    const r = classify([
      { item: 'spouseAbroad', declared: false, verified: '加拿大', deliberate: false },
      { item: 'insurance', declared: 0, verified: 1, deliberate: false },
    ]);
    expect(r.outcome).toBe('concealment');
    expect(r.discrepancies.map((d) => [d.item, d.kind])).toEqual([
      ['spouseAbroad', 'concealment'],
      ['insurance', 'omission'],
    ]);
  });

  it('a critical matter is declared and verified as true/false or a count, never as words', () => {
    // Found from outside: as text, only 无 or an empty text read as "none", so a spouse abroad declared
    // 否, 没有, none or no was an omission where 无 was a concealment that stops the candidate.
    const rules = policy.inspection.personalMatters;
    const items: I.PersonalMattersInput['items'] = [
      { item: 'spouseAbroad', declared: '否', verified: '是', deliberate: false },
      { item: 'childrenAbroad', declared: false, verified: true, deliberate: false },
      { item: 'marriage', declared: '已婚', verified: '离异', deliberate: false },
      { item: 'business', declared: 0, verified: 'none', deliberate: false },
    ];
    expect(I.criticalMatterIssues({ items }, rules)).toEqual([
      { path: 'items.0.declared', rule: expect.stringMatching(/true\/false or a count/) },
      { path: 'items.0.verified', rule: expect.stringMatching(/true\/false or a count/) },
      { path: 'items.3.verified', rule: expect.stringMatching(/true\/false or a count/) },
    ]);
    for (const issue of I.criticalMatterIssues({ items }, rules)) expect(issue.rule).not.toMatch(/否|是|none/);
    expect(classify([items[1]!]).discrepancies[0]).toMatchObject({ kind: 'concealment' });
  });

  it('declaring more than verification found leaves nothing out: no omission, no concealment', () => {
    // Found from outside: 3 children abroad declared against 1 verified, a spouse abroad declared against
    // none, 5 flats against 1 were each recorded 漏报 (an omission), which is leaving something out.
    expect(
      classify([
        { item: 'childrenAbroad', declared: 3, verified: 1, deliberate: false },
        { item: 'spouseAbroad', declared: true, verified: false, deliberate: false },
        { item: 'realEstate', declared: 5, verified: 1, deliberate: false },
      ]),
    ).toEqual({ outcome: 'consistent', discrepancies: [] });
  });

  it('text is compared as it reads: full-width and half-width forms, spaces around, are the same', () => {
    expect(
      classify([
        { item: 'marriage', declared: ' ABC１ ', verified: 'ABC1', deliberate: false },
        { item: 'familyEmployment', declared: '１处房产', verified: '1处房产', deliberate: false },
      ]),
    ).toEqual({ outcome: 'consistent', discrepancies: [] });
    expect(classify([{ item: 'marriage', declared: '已婚', verified: '离异', deliberate: false }]).outcome).toBe(
      'omission',
    );
  });

  it('verification that finds it knowingly hidden makes any discrepancy a concealment', () => {
    expect(classify([{ item: 'insurance', declared: 1, verified: 2, deliberate: true }]).outcome).toBe('concealment');
  });

  it("the thresholds are the policy's", () => {
    const strict = policySchema.parse({ inspection: { personalMatters: { undeclaredUnits: 1 } } });
    expect(
      I.classifyPersonalMatters(
        { items: [{ item: 'realEstate', declared: 1, verified: 2, deliberate: false }] },
        strict,
      ).outcome,
    ).toBe('concealment');
  });
});

describe('the dossier (必清)', () => {
  it('lists everything missing and nothing once complete; a first promotion needs a home visit', () => {
    const d = I.newDossier(policy, true);
    const now = 0;
    expect(I.missingItems(d, policy, now)).toHaveLength(8 + 1 + 1 + 5 + 7 + 1);
    I.applyInspectionRecord(d, {
      interviews: {
        superiors: 2,
        subordinates: 5,
        disciplineHead: 1,
        hrHead: 1,
        informedPeople: 3,
        serviceUsers: 3,
        previousPosts: 2,
        candidateAndSpouse: 1,
      },
      reverseEvaluation: { participants: 30, negative: 2, status: 'clear', note: '' },
      checks: {
        personnelFile: { status: 'clear', note: '' },
        personalMattersReport: { status: 'clear', note: '' },
        lettersAndPetitions: { status: 'clear', note: '' },
        issuesRaised: { status: 'concern', note: '作风问题' },
        doubtfulPoints: { status: 'unclear', note: '年龄' },
      },
    });
    I.applyInspectionRecord(d, { interviews: { candidateAndSpouse: 1 } });
    d.personalMatters = { outcome: 'consistent', discrepancies: [], checkedAt: 0 };
    for (const r of d.reviews) Object.assign(r, { verdict: 'clear', status: 'answered' });
    expect(I.missingItems(d, policy, now)).toEqual([
      '家访 (homeVisit): required for a first promotion',
      '必清 疑点 (doubtfulPoints) is unclear',
    ]);
    I.applyInspectionRecord(d, {
      homeVisit: { done: true, note: '' },
      checks: { doubtfulPoints: { status: 'clear', note: '已核清' } },
    });
    expect(I.missingItems(d, policy, now)).toEqual([]);
    expect(I.concernsOf(d, ['另请注意'])).toEqual(['考察中反映的问题: 作风问题', '另请注意']);
  });

  it('a late department counts as clear only when the policy says so', () => {
    const lenient = policySchema.parse({ jointReview: { lateCountsAsClear: true } });
    const d = I.newDossier(lenient, false);
    d.deadline = 100;
    expect(I.missingItems(d, lenient, 99).filter((m) => m.startsWith('联审'))).toHaveLength(7);
    expect(I.missingItems(d, lenient, 100).filter((m) => m.startsWith('联审'))).toHaveLength(0);
    expect(I.missingItems(d, policy, 100).filter((m) => m.startsWith('联审'))).toHaveLength(7);
  });

  it('a disqualifying verdict stops, and a second verdict is refused', () => {
    const d = I.newDossier(policy, false);
    const audit = d.reviews.find((r) => r.department === 'audit')!;
    Object.assign(audit, { verdict: 'disqualifying', reason: '经济责任审计发现重大问题' });
    expect(I.stopReason(d)).toEqual({
      reason: '审计 (audit) disqualifying: 经济责任审计发现重大问题',
      cause: 'review',
    });
    expect(() => I.checkVerdict(d, { department: 'audit', verdict: 'clear', reason: 'x' })).toThrow(/already returned/);
    const narrow = I.newDossier(policySchema.parse({ jointReview: { departments: ['discipline', 'audit'] } }), false);
    expect(() => I.checkVerdict(narrow, { department: 'court', verdict: 'clear', reason: 'x' })).toThrow(
      /not a joint-review department/,
    );
  });
});
