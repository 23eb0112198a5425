/**
 * 差额 floors (issue 16): the 1:3 inspection ratio and the 1:2 shortlist ratio are targets in both
 * directions. Each rule is tested at its boundaries (ratio − 1, ratio, ratio + 1; seats + 1 for a
 * competitive post), with and without a recorded reason.
 */
import { describe, expect, it } from 'vitest';
import * as C from '../../domain/eager/cycle.js';
import { DomainError } from '../../domain/errors.js';
import { policySchema } from '../../domain/eager/policy.js';
import { inspectionRule, judgeRatio, shortlistRule } from '../../domain/rules.js';

const NOW = Date.parse('2026-06-01T02:00:00Z');
const REASON = '符合条件的人选不足：本单位仅有 5 名符合任职资格条件的干部';

/** 区委书记 ×1 and 副区长 ×2 (副区长 competitive when the policy says so), at the recommendation stage. */
function atRecommendation(policy: Record<string, unknown> = {}) {
  const s = C.initialCycleState(
    '440306:2026',
    {
      term: '2026',
      positions: [
        { id: 'secretary', title: '区委书记', seats: 1 },
        { id: 'deputy', title: '副区长', seats: 2 },
      ],
      committees: { standing: 11, full: 31 },
      policy: policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 1 }, ...policy }),
    },
    { id: '440306', name: '宝安区', level: 'county', parentId: '440300' },
    NOW,
  );
  s.stage = 'recommendation';
  return s;
}

const persons = (prefix: string, n: number, votes = (i: number) => 50 - i) =>
  Array.from({ length: n }, (_, i) => ({
    personId: `${prefix}${i + 1}`,
    name: `候选人${prefix}${i + 1}`,
    votes: votes(i),
  }));

/** A round offering `s` people for the secretary (1 seat) and `d` for the deputies (2 seats). */
const round = (
  r: C.Round,
  s: number,
  d: number,
  extra: { secretary?: object; deputy?: object } = {},
): C.RecommendationRound => ({
  round: r,
  voters: r === 'fullCommittee' ? 31 : 100,
  observers: 0,
  tallies: [
    {
      positionId: 'secretary',
      persons: persons('s', s, (i) => (r === 'fullCommittee' ? 10 - 2 * i : 40 - 10 * i)),
      ...extra.secretary,
    },
    {
      positionId: 'deputy',
      persons: persons('d', d, (i) => (r === 'fullCommittee' ? 11 - i : 30 - 3 * i)),
      ...extra.deputy,
    },
  ],
});

function refused(s: C.CycleState, check: () => void, type: string, message: RegExp) {
  const before = JSON.stringify(s);
  let err: unknown;
  try {
    check();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a refusal').toBeInstanceOf(DomainError);
  expect((err as DomainError).type).toBe(type);
  expect((err as DomainError).message).toMatch(message);
  expect(JSON.stringify(s)).toBe(before);
  return err as DomainError;
}

describe('the pure ratio rules', () => {
  it('inspection 1:3 of 2 seats: 5 is short by 1 (allowed only with a reason), 6 and 7 are fine', () => {
    const rule = inspectionRule(2, 3);
    expect(rule).toMatchObject({ ratio: '1:3', target: 6, floor: 0 });
    expect(judgeRatio(rule, 5, false)).toEqual({ ok: false, rule: 'target', short: 1, excess: 0 });
    expect(judgeRatio(rule, 5, true)).toEqual({ ok: true, below: true, short: 1 });
    expect(judgeRatio(rule, 6, false)).toEqual({ ok: true, below: false });
    expect(judgeRatio(rule, 7, false)).toEqual({ ok: true, below: false });
  });

  it('competitive shortlist 1:2 of 1 seat: 1 is refused even with a reason (seats + 1), 2 fine, 3 over the ceiling', () => {
    const rule = shortlistRule(1, 2, true);
    expect(rule).toMatchObject({ target: 2, floor: 2, max: 2, kind: 'competitive' });
    expect(judgeRatio(rule, 1, true)).toMatchObject({ ok: false, rule: 'floor', short: 1 });
    expect(judgeRatio(rule, 2, false)).toEqual({ ok: true, below: false });
    expect(judgeRatio(rule, 3, false)).toMatchObject({ ok: false, rule: 'max', excess: 1 });
  });

  it('competitive shortlist 1:2 of 4 seats: 4 never (seats), 5 only with a reason (seats + 1), 7 with a reason, 8 fine, 9 too many', () => {
    const rule = shortlistRule(4, 2, true);
    expect(rule).toMatchObject({ target: 8, floor: 5, max: 8 });
    expect(judgeRatio(rule, 4, true)).toMatchObject({ ok: false, rule: 'floor' });
    expect(judgeRatio(rule, 5, false)).toMatchObject({ ok: false, rule: 'target', short: 3 });
    expect(judgeRatio(rule, 5, true)).toEqual({ ok: true, below: true, short: 3 });
    expect(judgeRatio(rule, 7, false)).toMatchObject({ ok: false, rule: 'target', short: 1 });
    expect(judgeRatio(rule, 7, true)).toEqual({ ok: true, below: true, short: 1 });
    expect(judgeRatio(rule, 8, false)).toEqual({ ok: true, below: false });
    expect(judgeRatio(rule, 9, false)).toMatchObject({ ok: false, rule: 'max' });
  });

  it('a competitive post at a ratio of 1:1 still needs seats + 1', () => {
    expect(shortlistRule(3, 1, true)).toMatchObject({ target: 4, floor: 4, max: 4 });
  });

  it('a non-competitive (等额) shortlist has a ceiling and no floor', () => {
    const rule = shortlistRule(1, 2, false);
    expect(rule).toMatchObject({ kind: 'uncontested', target: 0, floor: 0, max: 2 });
    expect(judgeRatio(rule, 1, false)).toEqual({ ok: true, below: false });
    expect(judgeRatio(rule, 3, false)).toMatchObject({ ok: false, rule: 'max' });
  });
});

describe('recommendation rounds and the inspection list (1:3)', () => {
  it('ratio − 1 is refused, naming the ratio and the shortfall, per position', () => {
    const s = atRecommendation();
    const err = refused(
      s,
      () => C.checkRecommendationRound(s, round('cadreMeeting', 3, 5)),
      'INCONSISTENT',
      /5 offered for deputy.*ratio 1:3 asks for 6 for 2 seat\(s\), 1 short/,
    );
    expect(err.details).toEqual([
      { path: 'tallies[1].persons', rule: 'at least 6 (1:3 of 2 seat(s)), or tallies[1].belowRatioReason' },
    ]);
    refused(
      s,
      () => C.checkRecommendationRound(s, round('cadreMeeting', 2, 6)),
      'INCONSISTENT',
      /2 offered for secretary/,
    );
  });

  it('the ratio and ratio + 1 are accepted; the list is cut at the ratio', () => {
    const s = atRecommendation();
    for (const r of [round('cadreMeeting', 3, 6), round('fullCommittee', 4, 7)]) {
      C.checkRecommendationRound(s, r);
      C.applyRecommendationRound(s, r, NOW);
    }
    expect(s.candidates.filter((c) => c.positionId === 'secretary')).toHaveLength(3);
    expect(s.candidates.filter((c) => c.positionId === 'deputy')).toHaveLength(6);
    expect(s.belowRatio).toEqual([]);
    expect(s.shortfalls).toEqual([]);
  });

  it('ratio − 1 with a recorded reason is accepted; the reason is in the state for the round and the list', () => {
    const s = atRecommendation();
    const withReason = { deputy: { belowRatioReason: REASON } };
    for (const r of [round('cadreMeeting', 3, 5, withReason), round('fullCommittee', 3, 5, withReason)]) {
      C.checkRecommendationRound(s, r);
      C.applyRecommendationRound(s, r, NOW);
    }
    expect(s.candidates.filter((c) => c.positionId === 'deputy')).toHaveLength(5);
    expect(s.shortfalls).toEqual([{ positionId: 'deputy', missing: 1 }]);
    expect(s.belowRatio).toEqual([
      {
        stage: 'recommendation',
        positionId: 'deputy',
        list: 'cadreMeeting',
        ratio: '1:3',
        required: 6,
        given: 5,
        reason: REASON,
        recordedAt: NOW,
      },
      {
        stage: 'recommendation',
        positionId: 'deputy',
        list: 'fullCommittee',
        ratio: '1:3',
        required: 6,
        given: 5,
        reason: REASON,
        recordedAt: NOW,
      },
      {
        stage: 'recommendation',
        positionId: 'deputy',
        list: 'inspection',
        ratio: '1:3',
        required: 6,
        given: 5,
        reason: REASON,
        recordedAt: NOW,
      },
    ]);
  });

  it('a second round whose people have no votes at all would draw a short list: refused without a reason', () => {
    const s = atRecommendation();
    const first = round('cadreMeeting', 3, 6);
    first.tallies[1]!.persons[5]!.votes = 0;
    C.checkRecommendationRound(s, first);
    C.applyRecommendationRound(s, first, NOW);
    const second = round('fullCommittee', 3, 6);
    second.tallies[1]!.persons[5]!.votes = 0;
    refused(
      s,
      () => C.checkRecommendationRound(s, second),
      'INCONSISTENT',
      /inspection list for deputy would hold 5.*1:3 asks for 6.*1 short/,
    );
    const explained = { ...second, tallies: [second.tallies[0]!, { ...second.tallies[1]!, belowRatioReason: REASON }] };
    C.checkRecommendationRound(s, explained);
    C.applyRecommendationRound(s, explained, NOW);
    expect(s.belowRatio).toEqual([
      expect.objectContaining({ list: 'inspection', given: 5, required: 6, reason: REASON }),
    ]);
  });

  it('a reason where nothing is below the ratio is refused, so every recorded reason is an exception', () => {
    const s = atRecommendation();
    refused(
      s,
      () => C.checkRecommendationRound(s, round('cadreMeeting', 3, 6, { secretary: { belowRatioReason: REASON } })),
      'VALIDATION',
      /belowRatioReason given for secretary, but its list meets the ratio 1:3/,
    );
  });

  it('the policy ratio decides: at 1:2, 2 people for 1 seat is the ratio', () => {
    const s = atRecommendation({ inspectionPerSeat: 2 });
    expect(() => C.checkRecommendationRound(s, round('cadreMeeting', 2, 4))).not.toThrow();
    refused(
      s,
      () => C.checkRecommendationRound(s, round('cadreMeeting', 1, 4)),
      'INCONSISTENT',
      /ratio 1:2 asks for 2/,
    );
  });
});

describe('the standing committee shortlist (1:2; competitive posts never below seats + 1)', () => {
  /** At the decision stage with every candidate passed (secretary: s1–s3; deputy: d1–d6). */
  function atDecision(policy: Record<string, unknown> = {}) {
    const s = atRecommendation(policy);
    for (const r of [round('cadreMeeting', 3, 6), round('fullCommittee', 3, 6)]) C.applyRecommendationRound(s, r, NOW);
    for (const c of [...s.candidates])
      C.applyCandidateOutcome(s, { personId: c.personId, result: 'passed', concerns: [] });
    s.stage = 'decision';
    return s;
  }
  const shortlist = (secretary: string[], deputy: string[], extra: { secretary?: object; deputy?: object } = {}) => ({
    present: 9,
    shortlist: [
      { positionId: 'secretary', personIds: secretary, ...extra.secretary },
      { positionId: 'deputy', personIds: deputy, ...extra.deputy },
    ],
  });
  const competitive = { competitivePositions: ['secretary', 'deputy'] };

  it('competitive, 1 seat: one person (seats) is refused, with or without a reason', () => {
    const s = atDecision(competitive);
    refused(
      s,
      () => C.checkStandingCommittee(s, shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'])),
      'INCONSISTENT',
      /1 shortlisted for secretary, a competitive \(差额\) post of 1 seat\(s\): never fewer than seats \+ 1 \(2\)/,
    );
    refused(
      s,
      () =>
        C.checkStandingCommittee(
          s,
          shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'], { secretary: { belowRatioReason: REASON } }),
        ),
      'INCONSISTENT',
      /never fewer than seats \+ 1/,
    );
  });

  it('competitive, 2 seats: 3 (seats + 1, ratio − 1) only with a reason; 4 (the ratio) is fine; 5 is over', () => {
    const s = atDecision(competitive);
    const err = refused(
      s,
      () => C.checkStandingCommittee(s, shortlist(['s1', 's2'], ['d1', 'd2', 'd3'])),
      'INCONSISTENT',
      /3 shortlisted for deputy.*ratio 1:2 asks for 4 for 2 seat\(s\), 1 short/,
    );
    expect(err.details[0]).toEqual({
      path: 'shortlist[1].personIds',
      rule: 'at least 4 (1:2 of 2 seat(s)), or shortlist[1].belowRatioReason',
    });
    refused(
      s,
      () => C.checkStandingCommittee(s, shortlist(['s1', 's2'], ['d1', 'd2', 'd3', 'd4', 'd5'])),
      'INCONSISTENT',
      /5 shortlisted for deputy, at most 4/,
    );
    expect(() => C.checkStandingCommittee(s, shortlist(['s1', 's2'], ['d1', 'd2', 'd3', 'd4']))).not.toThrow();
    const explained = shortlist(['s1', 's2'], ['d1', 'd2', 'd3'], { deputy: { belowRatioReason: REASON } });
    C.checkStandingCommittee(s, explained);
    C.applyStandingCommittee(s, explained, NOW);
    expect(s.decision.shortlists).toEqual([
      { positionId: 'secretary', seats: 1, kind: 'competitive', label: '差额', ratio: '1:2', required: 2, given: 2 },
      {
        positionId: 'deputy',
        seats: 2,
        kind: 'competitive',
        label: '差额',
        ratio: '1:2',
        required: 4,
        given: 3,
        belowRatioReason: REASON,
      },
    ]);
    expect(s.belowRatio).toEqual([
      {
        stage: 'decision',
        positionId: 'deputy',
        list: 'shortlist',
        ratio: '1:2',
        required: 4,
        given: 3,
        reason: REASON,
        recordedAt: NOW,
      },
    ]);
  });

  it('a competitive post left out of the shortlist counts as nobody shortlisted', () => {
    const s = atDecision(competitive);
    refused(
      s,
      () =>
        C.checkStandingCommittee(s, { present: 9, shortlist: [{ positionId: 'secretary', personIds: ['s1', 's2'] }] }),
      'INCONSISTENT',
      /0 shortlisted for deputy/,
    );
  });

  it('a competitive post with fewer people left than seats + 1 shortlists all who passed, with the reason, or the cycle could never leave decision', () => {
    // Found from outside: one person offered (below the ratio, with a reason) passed inspection, and no
    // shortlist could meet "seats + 1": the cycle stayed in decision for good.
    const s = atDecision(competitive);
    for (const id of ['s2', 's3']) s.candidates.find((c) => c.personId === id)!.status = 'stopped';
    const onlyOne = shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'], { secretary: { belowRatioReason: REASON } });
    C.checkStandingCommittee(s, onlyOne);
    refused(
      s,
      () => C.checkStandingCommittee(s, shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'])),
      'INCONSISTENT',
      /seats \+ 1/,
    );
    // Not below what passed: with people left, the floor holds as before.
    const full = atDecision(competitive);
    refused(
      full,
      () =>
        C.checkStandingCommittee(
          full,
          shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'], { secretary: { belowRatioReason: REASON } }),
        ),
      'INCONSISTENT',
      /seats \+ 1/,
    );
    C.applyStandingCommittee(s, onlyOne, NOW);
    expect(s.belowRatio).toEqual([expect.objectContaining({ positionId: 'secretary', reason: REASON })]);
  });

  it('a non-competitive post may shortlist one for one seat, and the answer says it is 等额', () => {
    const s = atDecision({ competitivePositions: ['deputy'] });
    const input = shortlist(['s1'], ['d1', 'd2', 'd3', 'd4']);
    C.checkStandingCommittee(s, input);
    C.applyStandingCommittee(s, input, NOW);
    expect(s.decision.shortlists![0]).toEqual({
      positionId: 'secretary',
      seats: 1,
      kind: 'uncontested',
      label: '等额',
      ratio: '1:2',
      required: 0,
      given: 1,
    });
    expect(s.belowRatio).toEqual([]);
  });

  it('a reason on a non-competitive post, or on a list at the ratio, is refused', () => {
    const s = atDecision({ competitivePositions: ['deputy'] });
    refused(
      s,
      () =>
        C.checkStandingCommittee(
          s,
          shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'], { secretary: { belowRatioReason: REASON } }),
        ),
      'VALIDATION',
      /not a competitive post \(等额\)/,
    );
    refused(
      s,
      () =>
        C.checkStandingCommittee(
          s,
          shortlist(['s1'], ['d1', 'd2', 'd3', 'd4'], { deputy: { belowRatioReason: REASON } }),
        ),
      'VALIDATION',
      /meets the ratio 1:2 \(4\)/,
    );
  });
});
