/**
 * The cycle's rules: each stage input is checked against the live state by a `check*` function
 * (throws a DomainError naming the field and the rule, never mutates) and then applied by its
 * `apply*` function (mutates; only called after the check passed). Pure, so the rules are
 * unit-tested without Temporal and the workflow's validators and handlers stay one line each.
 */
import { addWorkingDays, type YearOverride } from '../calendar.js';
import { DomainError, ErrorType, type FieldIssue } from '../errors.js';
import {
  atLeast,
  fillSeats,
  inspectionRule,
  judgeRatio,
  majorityNeeded,
  moreThan,
  quorumNeeded,
  selectTop,
  shortlistRule,
  type RatioRule,
  type Selection,
  type Tally,
} from '../rules.js';
import type { Actor } from '../schemas.js';
import { STAGES, STAGE_LABELS, nextStage, type Stage } from '../stages.js';
import {
  ROUNDS,
  uniqueBy,
  type AnalysisInput,
  type ApprovalInput,
  type CommitteeVoteInput,
  type DropNomineeInput,
  type WithdrawCandidateInput,
  type ElectionInput,
  type HoldInput,
  type LaunchInput,
  type Position,
  type RecommendationRound,
  type ReleaseHoldInput,
  type CheckedHold,
  type StatusChangeInput,
  type StandingCommitteeInput,
} from './inputs.js';
import type { BelowRatio, CandidateEntry, CycleState, DossierOutcome, Hold, Nominee } from './state.js';

function fail(type: ErrorType, message: string, details: FieldIssue[] = []): never {
  throw new DomainError(type, message, details);
}

export function checkRunning(s: CycleState): void {
  if (s.status === 'suspended')
    fail(ErrorType.Suspended, `cycle ${s.cycleId} is suspended (${s.statusReason ?? ''}); resume it first`);
  if (s.status === 'aborted')
    fail(ErrorType.Closed, `cycle ${s.cycleId} was aborted (${s.statusReason ?? ''}); it takes no more input`);
  if (s.status !== 'running') fail(ErrorType.Closed, `cycle ${s.cycleId} is ${s.status}; it takes no more input`);
}

export function checkStage(s: CycleState, stage: Stage): void {
  checkRunning(s);
  if (s.stage !== stage) {
    fail(
      ErrorType.WrongStage,
      `this input belongs to the ${stage} stage (${STAGE_LABELS[stage]}); cycle ${s.cycleId} is in ${s.stage} (${STAGE_LABELS[s.stage]})`,
      [{ path: 'stage', rule: `expected ${stage}, is ${s.stage}` }],
    );
  }
}

function checkNotRecorded(recorded: unknown, what: string): void {
  if (recorded !== undefined) fail(ErrorType.Duplicate, `${what} is already recorded; a second record is refused`);
}

function positionOf(s: CycleState, positionId: string, path: string): Position {
  return (
    s.positions.find((p) => p.id === positionId) ??
    fail(ErrorType.Validation, `unknown position ${positionId}`, [{ path, rule: 'must be a position of this cycle' }])
  );
}

function checkQuorum(present: number, members: number, s: CycleState, body: string): void {
  if (present > members)
    fail(ErrorType.Inconsistent, `${present} present but the ${body} has ${members} members`, [
      { path: 'present', rule: `≤ ${members}` },
    ]);
  if (!atLeast(present, members, s.policy.committeeQuorum)) {
    fail(
      ErrorType.Inconsistent,
      `the ${body} meeting is not valid: ${present} of ${members} present, at least ${quorumNeeded(members, s.policy.committeeQuorum)} needed`,
      [{ path: 'present', rule: `≥ ${quorumNeeded(members, s.policy.committeeQuorum)} (quorum)` }],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// launch, analysis

export function checkLaunch(s: CycleState, _i: LaunchInput) {
  checkStage(s, 'launch');
  checkNotRecorded(s.launch, 'the launch');
}
export function applyLaunch(s: CycleState, i: LaunchInput, now: number) {
  s.launch = { ...i, recordedAt: now };
  s.stageDone = true;
}

export function checkAnalysis(s: CycleState, _i: AnalysisInput) {
  checkStage(s, 'analysis');
  checkNotRecorded(s.analysis, 'the analysis');
}
export function applyAnalysis(s: CycleState, i: AnalysisInput, now: number) {
  s.analysis = { ...i, recordedAt: now };
  s.stageDone = true;
}

// ---------------------------------------------------------------------------------------------
// recommendation (民主推荐, two rounds)

export function checkRecommendationRound(s: CycleState, i: RecommendationRound) {
  checkStage(s, 'recommendation');
  checkNotRecorded(s.recommendation.rounds[i.round], `the ${i.round} round`);
  if (i.round === 'fullCommittee' && i.voters > s.committees.full) {
    fail(ErrorType.Inconsistent, `${i.voters} voters but the full committee has ${s.committees.full} members`, [
      { path: 'voters', rule: `≤ ${s.committees.full}` },
    ]);
  }
  const seen = new Set<string>();
  const names = new Map<string, string>();
  // One person, one position in a cycle: a candidate is one workflow, inspected for one post; a person
  // under two positions left one entry inspecting for good (found from outside).
  const postOf = new Map<string, string>();
  for (const r of Object.values(s.recommendation.rounds))
    for (const t of r.tallies)
      for (const p of t.persons) {
        names.set(p.personId, p.name);
        postOf.set(p.personId, t.positionId);
      }
  i.tallies.forEach((t, ti) => {
    const position = positionOf(s, t.positionId, `tallies[${ti}].positionId`);
    if (seen.has(t.positionId))
      fail(ErrorType.Validation, `position ${t.positionId} appears twice`, [
        { path: `tallies[${ti}].positionId`, rule: 'once per round' },
      ]);
    seen.add(t.positionId);
    const people = new Set<string>();
    let total = 0;
    t.persons.forEach((p, pi) => {
      const path = `tallies[${ti}].persons[${pi}]`;
      if (people.has(p.personId))
        fail(ErrorType.Validation, `person ${p.personId} appears twice for ${t.positionId}`, [
          { path: `${path}.personId`, rule: 'once per position' },
        ]);
      people.add(p.personId);
      const post = postOf.get(p.personId);
      if (post !== undefined && post !== t.positionId)
        fail(
          ErrorType.Inconsistent,
          `person ${p.personId} is recommended for one position only: already ${post}, not ${t.positionId}`,
          [{ path: `${path}.personId`, rule: 'one position per person in a cycle: record them under one of them' }],
        );
      postOf.set(p.personId, t.positionId);
      if (p.votes > i.voters)
        fail(ErrorType.Inconsistent, `${p.votes} votes for ${p.personId} but only ${i.voters} voters`, [
          { path: `${path}.votes`, rule: `≤ voters (${i.voters})` },
        ]);
      const known = names.get(p.personId);
      if (known !== undefined && known !== p.name)
        fail(ErrorType.Inconsistent, `person ${p.personId} was recorded as ${known}, not ${p.name}`, [
          { path: `${path}.name`, rule: 'same name in both rounds' },
        ]);
      names.set(p.personId, p.name);
      total += p.votes;
    });
    if (total > i.voters * position.seats) {
      fail(
        ErrorType.Inconsistent,
        `${total} votes for ${t.positionId} exceed ${i.voters} voters × ${position.seats} seat(s)`,
        [{ path: `tallies[${ti}]`, rule: `sum ≤ voters × seats (${i.voters * position.seats})` }],
      );
    }
  });
  const missing = s.positions.filter((p) => !seen.has(p.id)).map((p) => p.id);
  if (missing.length > 0)
    fail(
      ErrorType.Validation,
      `no tally for position(s) ${missing.join(', ')}`,
      missing.map((m) => ({ path: 'tallies', rule: `needs ${m}` })),
    );
  checkRoundRatio(s, i);
}

/**
 * 差额: each round offers at least the ratio (1:3 of seats) per position, and the second round's
 * inspection list, drawn from both rounds, holds it too — fewer only with `belowRatioReason`. A
 * reason where nothing is below is refused as well, so every reason on the record is an exception.
 */
function checkRoundRatio(s: CycleState, i: RecommendationRound) {
  const other = s.recommendation.rounds[i.round === 'cadreMeeting' ? 'fullCommittee' : 'cadreMeeting'];
  i.tallies.forEach((t, ti) => {
    const position = s.positions.find((p) => p.id === t.positionId)!;
    const rule = inspectionRule(position.seats, s.policy.inspectionPerSeat);
    const reason = t.belowRatioReason !== undefined;
    const offered = judgeRatio(rule, t.persons.length, reason);
    if (!offered.ok)
      belowRatioFail(
        `${t.persons.length} offered for ${t.positionId} in the ${i.round} round`,
        rule,
        position,
        offered.short,
        [`tallies[${ti}].persons`, `tallies[${ti}].belowRatioReason`],
      );
    let listBelow = false;
    if (other) {
      const rounds =
        i.round === 'cadreMeeting'
          ? { cadreMeeting: i, fullCommittee: other }
          : { cadreMeeting: other, fullCommittee: i };
      const drawn = drawInspection(rounds, position, s.policy.inspectionPerSeat).selected.length;
      const list = judgeRatio(rule, drawn, reason);
      if (!list.ok)
        belowRatioFail(
          `the inspection list for ${t.positionId} would hold ${drawn} (people with votes in both rounds)`,
          rule,
          position,
          list.short,
          [`tallies[${ti}].persons`, `tallies[${ti}].belowRatioReason`],
        );
      listBelow = list.below;
    }
    if (reason && !offered.below && !listBelow)
      fail(
        ErrorType.Validation,
        `belowRatioReason given for ${t.positionId}, but its list meets the ratio ${rule.ratio} (${rule.target} for ${position.seats} seat(s)); remove it`,
        [{ path: `tallies[${ti}].belowRatioReason`, rule: 'only for a list below the ratio' }],
      );
  });
}

function belowRatioFail(
  what: string,
  rule: RatioRule,
  position: Position,
  short: number,
  [path, reasonPath]: string[],
): never {
  fail(
    ErrorType.Inconsistent,
    `${what}: the ratio ${rule.ratio} asks for ${rule.target} for ${position.seats} seat(s), ${short} short (差额); if there are not enough eligible people, record why in ${reasonPath}`,
    [{ path: path!, rule: `at least ${rule.target} (${rule.ratio} of ${position.seats} seat(s)), or ${reasonPath}` }],
  );
}

type Rounds = {
  cadreMeeting: Pick<RecommendationRound, 'tallies'>;
  fullCommittee: Pick<RecommendationRound, 'tallies'>;
};

/** 双推: both rounds summed, the full committee's votes breaking ties, the top `perSeat × seats` taken. */
function drawInspection(rounds: Rounds, position: Position, perSeat: number): Selection {
  const byPerson = new Map<string, Tally>();
  for (const r of ROUNDS) {
    for (const p of rounds[r].tallies.find((t) => t.positionId === position.id)?.persons ?? []) {
      const t = byPerson.get(p.personId) ?? { personId: p.personId, name: p.name, votes: 0, tiebreak: 0 };
      t.votes += p.votes;
      if (r === 'fullCommittee') t.tiebreak += p.votes;
      byPerson.set(p.personId, t);
    }
  }
  return selectTop([...byPerson.values()], perSeat * position.seats);
}

function recordBelowRatio(
  s: CycleState,
  stage: BelowRatio['stage'],
  positionId: string,
  list: BelowRatio['list'],
  rule: RatioRule,
  given: number,
  reason: string,
  now: number,
) {
  (s.belowRatio ??= []).push({
    stage,
    positionId,
    list,
    ratio: rule.ratio,
    required: rule.target,
    given,
    reason,
    recordedAt: now,
  });
}

export function applyRecommendationRound(s: CycleState, i: RecommendationRound, now: number) {
  const { round, ...rest } = i;
  s.recommendation.rounds[round] = { ...rest, recordedAt: now };
  for (const t of i.tallies) {
    const position = s.positions.find((p) => p.id === t.positionId)!;
    const rule = inspectionRule(position.seats, s.policy.inspectionPerSeat);
    if (t.belowRatioReason !== undefined && t.persons.length < rule.target)
      recordBelowRatio(s, 'recommendation', t.positionId, round, rule, t.persons.length, t.belowRatioReason, now);
  }
  const first = i.tallies.flatMap((t) => t.persons.filter((p) => p.firstPromotion).map((p) => p.personId));
  if (first.length > 0)
    s.recommendation.firstPromotion = [...new Set([...(s.recommendation.firstPromotion ?? []), ...first])];
  const { cadreMeeting, fullCommittee } = s.recommendation.rounds;
  if (!cadreMeeting || !fullCommittee) return;
  // 双推 done: both rounds summed decide the inspection candidates.
  for (const position of s.positions) {
    const wanted = s.policy.inspectionPerSeat * position.seats;
    const { ranking, selected, tieAtCut } = drawInspection(
      { cadreMeeting, fullCommittee },
      position,
      s.policy.inspectionPerSeat,
    );
    const reason = i.tallies.find((t) => t.positionId === position.id)?.belowRatioReason;
    if (selected.length < wanted && reason !== undefined)
      recordBelowRatio(
        s,
        'recommendation',
        position.id,
        'inspection',
        inspectionRule(position.seats, s.policy.inspectionPerSeat),
        selected.length,
        reason,
        now,
      );
    s.recommendation.ranking[position.id] = ranking.map(({ personId, name, votes, rank }) => ({
      personId,
      name,
      votes,
      rank,
    }));
    if (tieAtCut) s.recommendation.tieAtCut.push(position.id);
    for (const personId of selected) {
      const r = ranking.find((x) => x.personId === personId)!;
      s.candidates.push({
        personId,
        name: r.name,
        positionId: position.id,
        rank: r.rank,
        votes: r.votes,
        status: 'inspecting',
        concerns: [],
        ...(s.recommendation.firstPromotion?.includes(personId) ? { firstPromotion: true } : {}),
      });
    }
    if (selected.length < wanted) s.shortfalls.push({ positionId: position.id, missing: wanted - selected.length });
  }
  s.stageDone = true;
}

// ---------------------------------------------------------------------------------------------
// inspection: candidates finish (passed or stopped); a stopped one is replaced by the next-ranked

/**
 * `replace`: whether a stopped candidate may be replaced (an aborted cycle replaces nobody). The
 * replacement is the next-ranked person not yet taken; people tied at that rank all enter, as at the
 * cut (selectTop: taking one of equals by id would be unfair). `takeTied` is asked only when there is
 * such a tie: a history from before that rule answers no and keeps the ranking's order.
 */
export function applyCandidateOutcome(
  s: CycleState,
  o: DossierOutcome,
  replace = true,
  takeTied: () => boolean = () => true,
): CandidateEntry[] {
  const c = s.candidates.find((x) => x.personId === o.personId && x.status === 'inspecting');
  if (!c) return [];
  c.status = o.result;
  c.concerns = o.concerns;
  if (o.reason !== undefined) c.reason = o.reason;
  if (o.cause !== undefined) c.cause = o.cause;
  if (o.result === 'passed' || !replace) return [];
  const taken = new Set(s.candidates.filter((x) => x.positionId === c.positionId).map((x) => x.personId));
  const free = s.policy.replaceStoppedCandidates
    ? (s.recommendation.ranking[c.positionId] ?? []).filter((r) => !taken.has(r.personId) && r.votes > 0)
    : [];
  const next = free[0];
  if (!next) {
    const gap = s.shortfalls.find((g) => g.positionId === c.positionId);
    if (gap) gap.missing += 1;
    else s.shortfalls.push({ positionId: c.positionId, missing: 1 });
    return [];
  }
  const tied = free.filter((r) => r.rank === next.rank);
  const entering = tied.length > 1 && takeTied() ? tied : [next];
  const replacements = entering.map((r): CandidateEntry => ({
    personId: r.personId,
    name: r.name,
    positionId: c.positionId,
    rank: r.rank,
    votes: r.votes,
    status: 'inspecting',
    concerns: [],
    replaces: c.personId,
    ...(s.recommendation.firstPromotion?.includes(r.personId) ? { firstPromotion: true } : {}),
  }));
  s.candidates.push(...replacements);
  return replacements;
}

export const inspectionDone = (s: CycleState) =>
  s.candidates.length > 0 && s.candidates.every((c) => c.status !== 'inspecting');

// ---------------------------------------------------------------------------------------------
// decision (讨论决定): standing committee shortlist, then the full committee vote

export function checkStandingCommittee(s: CycleState, i: StandingCommitteeInput) {
  checkStage(s, 'decision');
  checkNotRecorded(s.decision.standing, 'the standing committee meeting');
  checkQuorum(i.present, s.committees.standing, s, 'standing committee');
  const seen = new Set<string>();
  i.shortlist.forEach((l, li) => {
    const position = positionOf(s, l.positionId, `shortlist[${li}].positionId`);
    if (seen.has(l.positionId))
      fail(ErrorType.Validation, `position ${l.positionId} appears twice`, [
        { path: `shortlist[${li}].positionId`, rule: 'once' },
      ]);
    seen.add(l.positionId);
    const { max } = shortlistRuleOf(s, position);
    if (l.personIds.length > max)
      fail(
        ErrorType.Inconsistent,
        `${l.personIds.length} shortlisted for ${l.positionId}, at most ${max} (1:${s.policy.shortlistPerSeat})`,
        [{ path: `shortlist[${li}].personIds`, rule: `at most ${max}` }],
      );
    if (!uniqueBy((x: string) => x)(l.personIds))
      fail(ErrorType.Validation, `a person appears twice for ${l.positionId}`, [
        { path: `shortlist[${li}].personIds`, rule: 'unique' },
      ]);
    l.personIds.forEach((p, pi) => {
      const c = s.candidates.find((x) => x.personId === p && x.positionId === l.positionId);
      if (!c || c.status !== 'passed') {
        fail(ErrorType.Inconsistent, `${p} is not a candidate of ${l.positionId} who passed inspection`, [
          { path: `shortlist[${li}].personIds[${pi}]`, rule: 'must have passed inspection for this position' },
        ]);
      }
    });
  });
  // 差额 floors: a competitive post's shortlist holds the ratio (below it only with a reason) and never
  // falls to seats or fewer; a post left out of the input counts as shortlisting nobody.
  for (const position of s.positions) {
    const li = i.shortlist.findIndex((l) => l.positionId === position.id);
    const l = i.shortlist[li];
    const rule = shortlistRuleOf(s, position);
    const given = l?.personIds.length ?? 0;
    const reason = l?.belowRatioReason !== undefined;
    // Fewer passed inspection than seats + 1 (stops, nobody ranked below to replace them): no list can
    // reach the floor, so every one who passed, with the reason on the record; otherwise the cycle
    // could never leave decision (found from outside). With people left, the floor holds as before.
    const passed = s.candidates.filter((c) => c.positionId === position.id && c.status === 'passed').length;
    if (rule.kind !== 'uncontested' && passed < rule.floor && reason && given === passed) continue;
    const v = judgeRatio(rule, given, reason);
    const path = li < 0 ? 'shortlist' : `shortlist[${li}].personIds`;
    const reasonPath = li < 0 ? 'shortlist[].belowRatioReason' : `shortlist[${li}].belowRatioReason`;
    if (!v.ok && v.rule === 'floor')
      fail(
        ErrorType.Inconsistent,
        `${given} shortlisted for ${position.id}, a competitive (差额) post of ${position.seats} seat(s): never fewer than seats + 1 (${rule.floor}), whatever the reason`,
        [{ path, rule: `at least ${rule.floor} (seats + 1, 差额)` }],
      );
    if (!v.ok && v.rule === 'target')
      fail(
        ErrorType.Inconsistent,
        `${given} shortlisted for ${position.id}, a competitive (差额) post: the ratio ${rule.ratio} asks for ${rule.target} for ${position.seats} seat(s), ${v.short} short; if there are not enough eligible people, record why in ${reasonPath}`,
        [{ path, rule: `at least ${rule.target} (${rule.ratio} of ${position.seats} seat(s)), or ${reasonPath}` }],
      );
    if (reason && !(v.ok && v.below))
      fail(
        ErrorType.Validation,
        rule.kind === 'uncontested'
          ? `belowRatioReason given for ${position.id}, but it is not a competitive post (等额): its shortlist has no floor; remove it`
          : `belowRatioReason given for ${position.id}, but its shortlist meets the ratio ${rule.ratio} (${rule.target}); remove it`,
        [{ path: reasonPath, rule: 'only for a competitive post shortlisted below the ratio' }],
      );
  }
}

const shortlistRuleOf = (s: CycleState, position: Position) =>
  shortlistRule(position.seats, s.policy.shortlistPerSeat, s.policy.competitivePositions.includes(position.id));

export function applyStandingCommittee(s: CycleState, i: StandingCommitteeInput, now: number) {
  s.decision.standing = { ...i, recordedAt: now };
  // The answer says per post whether it is 差额 or 等额, and what the ratio asked.
  s.decision.shortlists = s.positions.map((position) => {
    const rule = shortlistRuleOf(s, position);
    const l = i.shortlist.find((x) => x.positionId === position.id);
    const given = l?.personIds.length ?? 0;
    if (l?.belowRatioReason !== undefined)
      recordBelowRatio(s, 'decision', position.id, 'shortlist', rule, given, l.belowRatioReason, now);
    return {
      positionId: position.id,
      seats: position.seats,
      kind: rule.kind,
      label: rule.kind === 'competitive' ? '差额' : '等额',
      ratio: rule.ratio,
      required: rule.target,
      given,
      ...(l?.belowRatioReason !== undefined ? { belowRatioReason: l.belowRatioReason } : {}),
    };
  });
}

export function checkCommitteeVote(s: CycleState, i: CommitteeVoteInput) {
  checkStage(s, 'decision');
  if (!s.decision.standing)
    fail(ErrorType.WrongStage, 'the standing committee shortlist comes before the full committee vote');
  checkNotRecorded(s.decision.vote, 'the full committee vote');
  checkQuorum(i.present, s.committees.full, s, 'full committee');
  const expected = s.decision.standing.shortlist.flatMap((l) => l.personIds.map((p) => `${l.positionId}/${p}`));
  const given = i.votes.map((v) => `${v.positionId}/${v.personId}`);
  if (!uniqueBy((x: string) => x)(given))
    fail(ErrorType.Validation, 'a shortlisted person has two vote entries', [
      { path: 'votes', rule: 'one entry per shortlisted person' },
    ]);
  i.votes.forEach((v, vi) => {
    if (!expected.includes(`${v.positionId}/${v.personId}`))
      fail(ErrorType.Inconsistent, `${v.personId} is not shortlisted for ${v.positionId}`, [
        { path: `votes[${vi}]`, rule: 'must be shortlisted' },
      ]);
    if (v.inFavor > i.present)
      fail(ErrorType.Inconsistent, `${v.inFavor} in favour of ${v.personId} but ${i.present} present`, [
        { path: `votes[${vi}].inFavor`, rule: `≤ present (${i.present})` },
      ]);
  });
  const missing = expected.filter((e) => !given.includes(e));
  if (missing.length > 0)
    fail(
      ErrorType.Validation,
      `no vote for ${missing.join(', ')}`,
      missing.map((m) => ({ path: 'votes', rule: `needs ${m}` })),
    );
  // A tie across the last seat of a 等额 post (competitive posts nominate every passer): nothing in
  // the vote tells the two apart, and the shortlist's order once did it silently (found from outside).
  for (const position of s.positions) {
    if (s.policy.competitivePositions.includes(position.id)) continue;
    const passers = passingVotes(s, i, position.id).sort((a, b) => b.inFavor - a.inFavor);
    const last = passers[position.seats - 1];
    const next = passers[position.seats];
    if (last && next && last.inFavor === next.inFavor)
      fail(
        ErrorType.Inconsistent,
        `a tie at the last seat of ${position.id}: ${passers
          .filter((v) => v.inFavor === last.inFavor)
          .map((v) => v.personId)
          .join(', ')} each have ${last.inFavor} in favour; the full committee votes again between them`,
        [{ path: 'votes', rule: `no tie across the last of ${position.seats} seat(s) of ${position.id}` }],
      );
  }
}

/** A position's votes that pass: more than the decision majority of ALL members, not of those present. */
function passingVotes(s: CycleState, i: CommitteeVoteInput, positionId: string) {
  return i.votes.filter(
    (v) => v.positionId === positionId && moreThan(v.inFavor, s.committees.full, s.policy.decisionMajority),
  );
}

export function applyCommitteeVote(s: CycleState, i: CommitteeVoteInput, now: number) {
  s.decision.vote = { ...i, recordedAt: now };
  const members = s.committees.full;
  for (const position of s.positions) {
    const order = s.decision.standing!.shortlist.find((l) => l.positionId === position.id)?.personIds ?? [];
    const passers = passingVotes(s, i, position.id).sort(
      (a, b) => b.inFavor - a.inFavor || order.indexOf(a.personId) - order.indexOf(b.personId),
    );
    const competitive = s.policy.competitivePositions.includes(position.id);
    const nominated = competitive ? passers : passers.slice(0, position.seats);
    for (const v of nominated) {
      const c = s.candidates.find((x) => x.personId === v.personId)!;
      s.nominees.push({
        personId: v.personId,
        name: c.name,
        positionId: position.id,
        inFavor: v.inFavor,
        status: 'published',
      });
    }
    s.reserves[position.id] = competitive ? [] : passers.slice(position.seats).map((v) => v.personId);
    if (passers.length < position.seats) {
      const short = i.votes
        .filter((v) => v.positionId === position.id && !passers.includes(v))
        .map(
          (v) =>
            `${s.candidates.find((x) => x.personId === v.personId)?.name ?? v.personId}（${v.personId}）${v.inFavor}票`,
        );
      s.shortfalls.push({
        positionId: position.id,
        missing: position.seats - passers.length,
        reason:
          `全委会票决：${position.title}${position.seats}个职位，仅${passers.length}人获得应到会全体成员（${members}人）` +
          `过半数赞成（至少${decisionThreshold(s)}票，按全体成员而非到会人数计）` +
          (short.length > 0 ? `；未达到的：${short.join('、')}` : ''),
      });
    }
  }
  s.stageDone = true;
}

export const decisionThreshold = (s: CycleState) => majorityNeeded(s.committees.full, s.policy.decisionMajority);

// ---------------------------------------------------------------------------------------------
// publicity (任职公示)

export const activeNominees = (s: CycleState) =>
  s.nominees.filter((n) => n.status !== 'dropped' && n.status !== 'rejected');

export function publishNominees(s: CycleState, now: number) {
  const endsAt = addWorkingDays(s.policy.calendar, now, s.policy.publicityWorkingDays);
  for (const n of activeNominees(s)) {
    n.publishedAt = now;
    n.publicityEndsAt = endsAt;
  }
}

/** When the last active nominee's period ends; null when nobody is published (no nominee passed the vote). */
export const publicityEndsAt = (s: CycleState): number | null => {
  const ends = activeNominees(s)
    .map((n) => n.publicityEndsAt)
    .filter((t): t is number => t !== undefined);
  return ends.length === 0 ? null : Math.max(...ends);
};

/** Why there is nothing to publish: each position's shortfall, or simply no nominee. */
export function nothingToPublish(s: CycleState): string {
  const reasons = s.shortfalls.filter((g) => g.reason).map((g) => g.reason!);
  return `没有拟任人选可公示，公示期不开始${reasons.length > 0 ? `：${reasons.join('；')}` : ''}`;
}

/**
 * A report's finding ends a candidacy while the cycle is suspended too: suspension pauses the stages,
 * not the discipline side (found from outside: the finding hung until the organizer resumed, so
 * suspending kept a disqualification off the record while clearing findings passed).
 */
function checkRunningOrReportWhileSuspended(s: CycleState, cause: DropNomineeInput['cause']) {
  if (s.status === 'suspended' && cause === 'report') return;
  checkRunning(s);
}

export function checkDropNominee(s: CycleState, i: DropNomineeInput) {
  checkRunningOrReportWhileSuspended(s, i.cause);
  // Nominees exist from the committee's vote on; the cycle may still stand at decision then (a report's
  // hold on one keeps its gate shut), and a substantiated report must drop them there too (found from
  // outside: refused, the hold released, the disqualified nominee went on to publicity).
  // And at election until its result is recorded (a report found substantiated then).
  const voted = s.stage === 'decision' && s.decision.vote !== undefined;
  const beforeResult = s.stage === 'election' && s.election === undefined;
  if (s.stage !== 'publicity' && s.stage !== 'approval' && !voted && !beforeResult) {
    fail(
      ErrorType.WrongStage,
      `nominees are dropped from the committee's vote until the election's result; cycle is in ${s.stage}`,
      [{ path: 'stage', rule: "decision after the committee's vote, publicity, approval, election before its result" }],
    );
  }
  const n = activeNominees(s).find((x) => x.personId === i.personId);
  if (!n)
    fail(ErrorType.NotFound, `${i.personId} is not an active nominee of cycle ${s.cycleId}`, [
      { path: 'personId', rule: 'must be an active nominee' },
    ]);
}

/** The drop itself may need a new publicity period: check the calendar can give one before anything changes. */
export function checkDropNomineeAt(s: CycleState, i: DropNomineeInput, now: number) {
  checkDropNominee(s, i);
  const n = activeNominees(s).find((x) => x.personId === i.personId)!;
  if ((s.reserves[n.positionId]?.length ?? 0) > 0)
    addWorkingDays(s.policy.calendar, now, s.policy.publicityWorkingDays);
}

/**
 * Drops a nominee; the next shortlisted reserve moves up with a publicity period of their own, else the
 * seat is reported open. With `moveUp: false` (the approval already recorded: a reserve moved up then
 * could never be approved, nor elected) the seat is reported open.
 */
export function applyDropNominee(
  s: CycleState,
  i: DropNomineeInput,
  now: number,
  { moveUp = true }: { moveUp?: boolean } = {},
): Nominee | undefined {
  const n = activeNominees(s).find((x) => x.personId === i.personId)!;
  n.status = 'dropped';
  n.reason = i.reason;
  n.cause = i.cause;
  const reserve = moveUp ? s.reserves[n.positionId]?.shift() : undefined;
  if (reserve === undefined) {
    s.shortfalls.push({ positionId: n.positionId, missing: 1 });
    return undefined;
  }
  const c = s.candidates.find((x) => x.personId === reserve)!;
  const inFavor = s.decision.vote?.votes.find((v) => v.personId === reserve)?.inFavor ?? 0;
  const moved: Nominee = {
    personId: reserve,
    name: c.name,
    positionId: n.positionId,
    inFavor,
    status: 'published',
    publishedAt: now,
    publicityEndsAt: addWorkingDays(s.policy.calendar, now, s.policy.publicityWorkingDays),
  };
  s.nominees.push(moved);
  return moved;
}

/**
 * A candidate who passed inspection and is no active nominee — before the committee's vote, or a
 * reserve or one not chosen after it — is withdrawn when a report on them is found substantiated:
 * found from outside, where the finding's drop was refused ("not a nominee"), its hold released, and
 * the disqualified candidate stayed shortlistable (or a reserve who could move up).
 */
export function checkWithdrawCandidate(s: CycleState, i: WithdrawCandidateInput) {
  checkRunningOrReportWhileSuspended(s, i.cause);
  if (activeNominees(s).some((n) => n.personId === i.personId))
    fail(
      ErrorType.WrongStage,
      `${i.personId} is a nominee of cycle ${s.cycleId}: a nominee is dropped, not withdrawn`,
      [{ path: 'personId', rule: 'not an active nominee' }],
    );
  if (!s.candidates.some((c) => c.personId === i.personId && c.status === 'passed'))
    fail(ErrorType.NotFound, `${i.personId} is not a candidate of cycle ${s.cycleId} who passed inspection`, [
      { path: 'personId', rule: 'must have passed inspection' },
    ]);
}

/**
 * Stops the candidacy: never shortlisted, never moved up. A standing committee shortlist that named
 * them, before the vote, is voided — the committee decides again from who remain (the 差额 floor and
 * its reasons apply as the first time); after the vote they leave the reserves.
 */
export function applyWithdrawCandidate(s: CycleState, i: WithdrawCandidateInput) {
  const c = s.candidates.find((x) => x.personId === i.personId && x.status === 'passed')!;
  c.status = 'stopped';
  c.reason = i.reason;
  c.cause = i.cause;
  const reserves = s.reserves[c.positionId];
  if (reserves) s.reserves[c.positionId] = reserves.filter((p) => p !== c.personId);
  const standing = s.decision.standing;
  if (s.decision.vote === undefined && standing?.shortlist.some((l) => l.personIds.includes(c.personId))) {
    delete s.decision.standing;
    delete s.decision.shortlists;
    s.belowRatio = s.belowRatio?.filter((b) => b.stage !== 'decision');
  }
}

// ---------------------------------------------------------------------------------------------
// approval (审查审批), election (大会选举)

/**
 * The approval once every active nominee's own publicity has ended: a reserve moved up during approval
 * has a period of its own (found from outside: approved and elected three seconds into it).
 */
export function checkApprovalAt(s: CycleState, i: ApprovalInput, now: number) {
  checkApproval(s, i);
  const open = activeNominees(s).filter((n) => n.publicityEndsAt !== undefined && n.publicityEndsAt > now);
  if (open.length > 0)
    fail(
      ErrorType.Inconsistent,
      `the publicity (任职公示) of ${open.map((n) => n.personId).join(', ')} has not ended: approval after ${new Date(Math.max(...open.map((n) => n.publicityEndsAt!))).toISOString()}`,
      [{ path: 'decision', rule: "after every nominee's publicity period" }],
    );
}
export function checkApproval(s: CycleState, i: ApprovalInput) {
  checkStage(s, 'approval');
  checkNotRecorded(s.approval, 'the approval');
  // Each rejected nominee once: a repeat was recorded twice (found from outside).
  const named = new Set<string>();
  i.rejections.forEach((r, ri) => {
    if (named.has(r.personId))
      fail(ErrorType.Validation, `${r.personId} is rejected twice: name each nominee once`, [
        { path: `rejections[${ri}].personId`, rule: 'each nominee once' },
      ]);
    named.add(r.personId);
    if (!activeNominees(s).some((n) => n.personId === r.personId))
      fail(ErrorType.NotFound, `${r.personId} is not an active nominee`, [
        { path: `rejections[${ri}].personId`, rule: 'must be an active nominee' },
      ]);
  });
}
export function applyApproval(s: CycleState, i: ApprovalInput, now: number) {
  s.approval = { ...i, recordedAt: now };
  for (const n of activeNominees(s)) {
    const rejected = i.rejections.find((r) => r.personId === n.personId);
    n.status = rejected ? 'rejected' : 'approved';
    if (rejected) n.reason = rejected.reason;
  }
  s.stageDone = true;
}

export function checkElection(s: CycleState, i: ElectionInput) {
  checkStage(s, 'election');
  checkNotRecorded(s.election, 'the election');
  if (i.validBallots > i.votersPresent)
    fail(ErrorType.Inconsistent, `${i.validBallots} valid ballots but ${i.votersPresent} voters present`, [
      { path: 'validBallots', rule: `≤ votersPresent (${i.votersPresent})` },
    ]);
  const approved = s.nominees.filter((n) => n.status === 'approved');
  // A report (or any hold) open on an approved nominee is decided first: once the result is recorded,
  // its finding could no longer drop them (found from outside: elected on a substantiated report).
  const open = s.holds.filter((h) => h.personId !== undefined && approved.some((n) => n.personId === h.personId));
  if (open.length > 0)
    fail(
      ErrorType.Inconsistent,
      `hold(s) ${open.map((h) => `${h.name} on ${h.personId}`).join(', ')} open: the election is recorded once released`,
      [{ path: 'results', rule: 'no open hold on an approved nominee' }],
    );
  const seen = new Set<string>();
  i.results.forEach((r, ri) => {
    const position = positionOf(s, r.positionId, `results[${ri}].positionId`);
    if (seen.has(r.positionId))
      fail(ErrorType.Validation, `position ${r.positionId} appears twice`, [
        { path: `results[${ri}].positionId`, rule: 'once' },
      ]);
    seen.add(r.positionId);
    let total = 0;
    const people = new Set<string>();
    r.persons.forEach((p, pi) => {
      const path = `results[${ri}].persons[${pi}]`;
      if (!approved.some((n) => n.personId === p.personId && n.positionId === r.positionId))
        fail(ErrorType.Inconsistent, `${p.personId} is not an approved nominee for ${r.positionId}`, [
          { path: `${path}.personId`, rule: 'must be an approved nominee of this position' },
        ]);
      if (people.has(p.personId))
        fail(ErrorType.Validation, `${p.personId} appears twice`, [{ path: `${path}.personId`, rule: 'once' }]);
      people.add(p.personId);
      if (p.votes > i.validBallots)
        fail(ErrorType.Inconsistent, `${p.votes} votes for ${p.personId} but ${i.validBallots} valid ballots`, [
          { path: `${path}.votes`, rule: `≤ validBallots (${i.validBallots})` },
        ]);
      total += p.votes;
    });
    if (total > i.validBallots * position.seats)
      fail(
        ErrorType.Inconsistent,
        `${total} votes for ${r.positionId} exceed ${i.validBallots} ballots × ${position.seats} seat(s)`,
        [{ path: `results[${ri}]`, rule: `sum ≤ validBallots × seats` }],
      );
    // Everyone on the ballot has a count (0 if nobody voted for them): a result that leaves a nominee
    // out could hide that they out-polled someone declared elected.
    const unlisted = approved.filter((n) => n.positionId === r.positionId && !people.has(n.personId));
    if (unlisted.length > 0)
      fail(
        ErrorType.Validation,
        `the result for ${r.positionId} leaves out nominee(s) ${unlisted.map((n) => n.personId).join(', ')}`,
        unlisted.map((n) => ({
          path: `results[${ri}].persons`,
          rule: `needs ${n.personId} (every nominee on the ballot, 0 votes included)`,
        })),
      );
  });
  const missing = [...new Set(approved.map((n) => n.positionId))].filter((p) => !seen.has(p));
  if (missing.length > 0)
    fail(
      ErrorType.Validation,
      `no result for position(s) ${missing.join(', ')}`,
      missing.map((m) => ({ path: 'results', rule: `needs ${m}` })),
    );
}

export function applyElection(s: CycleState, i: ElectionInput, now: number) {
  const { results, ...rest } = i;
  s.election = { ...rest, recordedAt: now };
  s.results = s.positions.map((position) => {
    const persons = results.find((r) => r.positionId === position.id)?.persons ?? [];
    // Seats without any approved nominee were lost before the election; the vote decides only the others.
    const contested = Math.min(position.seats, persons.length);
    const noNominee = position.seats - contested;
    const seat = fillSeats(persons, contested, (v) => moreThan(v, i.validBallots, s.policy.electionMajority));
    const earlier = s.shortfalls.filter((g) => g.positionId === position.id && g.reason).map((g) => g.reason!);
    const reasons = [
      ...(seat.reason
        ? [
            seat.unfilled > 0 && !seat.reason.startsWith('tie')
              ? `${seat.unfilled} seat(s): no nominee won more than ${fractionText(s.policy.electionMajority)} of the ${i.validBallots} valid ballots (at least ${majorityNeeded(i.validBallots, s.policy.electionMajority)} votes)`
              : seat.reason,
          ]
        : []),
      ...(noNominee > 0
        ? [
            `${noNominee} seat(s) had no approved nominee to elect${earlier.length > 0 ? ` (${earlier.join('；')})` : ''}`,
          ]
        : []),
    ];
    for (const p of persons) {
      const n = s.nominees.find((x) => x.personId === p.personId && x.status === 'approved')!;
      n.votes = p.votes;
      n.status = seat.elected.includes(p.personId) ? 'elected' : 'notElected';
    }
    return {
      positionId: position.id,
      title: position.title,
      seats: position.seats,
      elected: seat.elected.map((id) => ({
        personId: id,
        name: s.nominees.find((n) => n.personId === id)!.name,
        votes: persons.find((p) => p.personId === id)!.votes,
      })),
      unfilled: seat.unfilled + noNominee,
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    };
  });
  const stops = [
    ...s.candidates.filter((c) => c.status === 'stopped'),
    ...s.nominees.filter((n) => n.status === 'dropped'),
  ];
  s.outcome = {
    effectiveComplaints: stops.filter((x) => x.cause === 'report').length,
    cadreViolations: stops.filter((x) => x.cause === 'violation' || x.cause === 'report').length,
    massPetitions: i.massPetitions,
  };
  s.stageDone = true;
}

// ---------------------------------------------------------------------------------------------
// holds, suspend / resume / abort

export function checkAddHold(s: CycleState, i: HoldInput) {
  if (s.status === 'closed' || s.status === 'aborted') fail(ErrorType.Closed, `cycle ${s.cycleId} is ${s.status}`);
  if (s.holds.some((h) => h.name === i.name))
    fail(ErrorType.Duplicate, `hold ${i.name} is already open`, [{ path: 'name', rule: 'unique among open holds' }]);
  // An organizer's hold on a gate already passed would answer as placed and hold nothing (found from
  // outside); the system's are moved to the current gate instead (onTheGateItStandsAt).
  if (
    i.source === 'organizer' &&
    i.stage !== undefined &&
    (i.stage === 'closed' || STAGES.indexOf(i.stage) < STAGES.indexOf(s.stage))
  )
    fail(ErrorType.Inconsistent, `the ${i.stage} gate is passed or none: a hold on it would hold nothing`, [
      { path: 'stage', rule: `the current stage (${s.stage}) or a later one, not closed` },
    ]);
  if (i.personId === undefined) return;
  if (!s.candidates.some((c) => c.personId === i.personId) && !s.nominees.some((n) => n.personId === i.personId)) {
    fail(ErrorType.NotFound, `${i.personId} is not a candidate or nominee of cycle ${s.cycleId}`, [
      { path: 'personId', rule: 'must be a candidate or nominee' },
    ]);
  }
  // A hold on someone stopped or dropped would hold nothing, yet answer as if it did (found from outside).
  if (!inTheRunning(s).has(i.personId))
    fail(ErrorType.Closed, `${i.personId} is no longer in the running in cycle ${s.cycleId}`, [
      { path: 'personId', rule: 'must be in the running (not stopped at inspection, not dropped or rejected)' },
    ]);
}
export function applyAddHold(s: CycleState, i: HoldInput, actor: Actor, now: number) {
  // Where it was raised from: a hold by hand is released from that level or above (API-side check).
  // And with which roles, shown so a caller sees who may release it (the API checks both).
  s.holds.push({
    ...i,
    raisedAt: now,
    raisedBy: actor.id,
    ...(actor.scope ? { raisedIn: actor.scope, raisedAs: actor.role.split(',') } : {}),
  });
}
/** Who releases a hold the system raised: the process that raised it, never a hand release. */
const RELEASED_BY: Record<Exclude<Hold['source'], 'organizer'>, string> = {
  report: "the investigator's finding on the report (POST /v1/reports/{reportId}/findings)",
  supervision: 'the accepted rectification of the finding (…/supervision/rectifications)',
  risk: "the upper level's resolution of the risk (POST /v1/risks/{riskId}/resolve)",
  calendar: 'the missing calendar year (…/calendar-years)',
};
export function checkReleaseHold(s: CycleState, i: ReleaseHoldInput) {
  const hold = s.holds.find((h) => h.name === i.name);
  if (!hold) fail(ErrorType.NotFound, `no open hold named ${i.name}`, [{ path: 'name', rule: 'must be an open hold' }]);
  if (hold.source !== 'organizer' && i.bySource !== true)
    fail(ErrorType.Conflict, `hold ${i.name} was raised by its ${hold.source} and is released only by it`, [
      { path: 'name', rule: `a ${hold.source} hold is released by ${RELEASED_BY[hold.source]}` },
    ]);
  // Who may release it was checked outside, against the hold of this name as it stood then: another
  // hold raised under the name since (by the city, by a supervisor) is not the one that check allowed.
  const now = checkedHold(hold);
  if (i.asChecked !== undefined && !sameCheckedHold(now, i.asChecked))
    fail(
      ErrorType.Conflict,
      `hold ${i.name} is not the one this release was checked against: it was raised ${raisedWhere(now)} since; send the release again to have it checked against this hold`,
      [{ path: 'name', rule: 'released as it stood when the caller’s authority over it was checked' }],
    );
}
/** A hold as the API checks a hand release against it (CheckedHold): only a hand hold's level and roles count. */
export function checkedHold(h: Hold | undefined): CheckedHold {
  return h && h.source === 'organizer' ? { raisedIn: h.raisedIn ?? null, raisedAs: h.raisedAs ?? null } : null;
}
const holdKey = (h: CheckedHold) => (h === null ? 'none' : JSON.stringify([h.raisedIn, h.raisedAs]));
const sameCheckedHold = (a: CheckedHold, b: CheckedHold) => holdKey(a) === holdKey(b);
const raisedWhere = (h: CheckedHold) =>
  [h?.raisedIn ? `at ${h.raisedIn}` : 'by hand', h?.raisedAs ? `as ${h.raisedAs.join(' and ')}` : ''].join(' ').trim();
export function applyReleaseHold(s: CycleState, i: ReleaseHoldInput): Hold {
  const hold = s.holds.find((h) => h.name === i.name)!;
  s.holds = s.holds.filter((h) => h.name !== i.name);
  return hold;
}

/**
 * The people a person's hold can stop a gate for: candidates not stopped, except that once someone is a
 * nominee, the nominee's status decides (a nominee dropped at publicity passed inspection, and is out),
 * and once the committee has voted, only its nominees and reserves are left — its nominees alone once
 * the approval is recorded (found from outside: a report on a passer never shortlisted held the
 * publicity gate of a cycle with no nominee left).
 * `nomineeDecides: false` is the rule runs before the patch `holds-follow-the-nominee` kept: a passed
 * candidate stayed in the running after being dropped as a nominee, and a hold on them shut the gate;
 * `voteDecides: false` the rule before `holds-follow-the-vote`.
 */
export function inTheRunning(s: CycleState, { nomineeDecides = true, voteDecides = true } = {}): Set<string> {
  const nominees = new Set(s.nominees.map((n) => n.personId));
  // Once the approval is recorded no reserve moves up (no-move-up-after-approval): the reserves are out too.
  const reserves = new Set(s.approval ? [] : Object.values(s.reserves).flat());
  const voted = voteDecides && s.decision.vote !== undefined;
  return new Set([
    ...s.candidates
      .filter((c) => c.status !== 'stopped' && !(nomineeDecides && nominees.has(c.personId)))
      .filter((c) => !voted || reserves.has(c.personId))
      .map((c) => c.personId),
    ...activeNominees(s).map((n) => n.personId),
  ]);
}

/**
 * Holds that stop the next gate: cycle-wide holds, person holds on people still in the running, and
 * stage holds on the stage the cycle is in.
 */
export function blockingHolds(s: CycleState, rule: { nomineeDecides?: boolean; voteDecides?: boolean } = {}): Hold[] {
  const active = inTheRunning(s, rule);
  return s.holds.filter(
    (h) => (h.personId === undefined || active.has(h.personId)) && (h.stage === undefined || h.stage === s.stage),
  );
}

/** Why a stage whose work is done does not move on: the suspension, or the holds at its gate. */
/** What an aborted cycle says it waits for: nothing, and why it ended. */
export function abortedSays(s: Pick<CycleState, 'statusReason'>): string {
  return `已终止：${s.statusReason ?? ''}`;
}

export function gateClosedBecause(s: CycleState, blocking: Hold[] = blockingHolds(s)): string {
  if (s.status === 'suspended') return `本阶段已完成，换届已暂停（${s.statusReason ?? ''}），恢复后进入下一阶段`;
  const holds = blocking.map((h) => `${h.name}（${h.reason}）`);
  return `本阶段已完成，关口暂停，待解除：${holds.join('、')}`;
}

export function checkSuspend(s: CycleState) {
  checkRunning(s);
}
export function checkResume(s: CycleState, i: StatusChangeInput = { reason: '' }) {
  if (s.status !== 'suspended') fail(ErrorType.WrongStage, `cycle ${s.cycleId} is ${s.status}, not suspended`);
  checkSuspensionAsChecked(s, i, 'resumption');
}
export function checkAbort(s: CycleState, i: StatusChangeInput = { reason: '' }) {
  if (s.status === 'closed' || s.status === 'aborted')
    fail(ErrorType.Closed, `cycle ${s.cycleId} is already ${s.status}`);
  checkSuspensionAsChecked(s, i, 'abort');
}
/** The level a suspended cycle is resumed or aborted from, or above (null: not suspended, or by no recorded level). */
export const suspendedBy = (s: CycleState): string | null =>
  s.status === 'suspended' ? (s.suspendedIn ?? null) : null;
/**
 * Who may resume or abort was checked outside against the suspension as it stood then: a suspension by
 * another level since (the city's, as the district aborts) is not what that check allowed.
 */
function checkSuspensionAsChecked(s: CycleState, i: StatusChangeInput, act: string) {
  const now = suspendedBy(s);
  if (i.asChecked === undefined || i.asChecked.suspendedIn === now) return;
  fail(
    ErrorType.Conflict,
    `cycle ${s.cycleId} was ${now === null ? 'resumed' : `suspended at ${now}`} after this ${act} was checked; send it again to have it checked against the cycle as it is now`,
    [{ path: 'scope', rule: `the ${act} of the cycle as it stood when the caller’s authority was checked` }],
  );
}

export function checkAddCalendarYear(s: CycleState, i: YearOverride) {
  if (s.status === 'closed' || s.status === 'aborted') fail(ErrorType.Closed, `cycle ${s.cycleId} is ${s.status}`);
  if (s.policy.calendar.kind !== 'cn')
    fail(ErrorType.Validation, 'this cycle runs on a compressed calendar; it needs no calendar years', [
      { path: 'policy.calendar.kind', rule: 'must be cn' },
    ]);
  if (s.policy.calendar.overrides.some((o) => o.year === i.year))
    fail(ErrorType.Duplicate, `year ${i.year} is already supplied`, [{ path: 'year', rule: 'once per year' }]);
  const wrong = [...i.holidays, ...i.workdays].find((d) => !d.startsWith(`${i.year}-`));
  if (wrong)
    fail(ErrorType.Validation, `${wrong} is not in ${i.year}`, [{ path: 'holidays', rule: `dates of ${i.year}` }]);
}
export function applyAddCalendarYear(s: CycleState, i: YearOverride) {
  if (s.policy.calendar.kind === 'cn') s.policy.calendar.overrides.push(i);
}

export function enterStage(s: CycleState, now: number) {
  s.stage = nextStage(s.stage);
  s.stageEnteredAt = now;
  s.stageDone = false;
}

const fractionText = (f: { num: number; den: number }) => (f.num * 2 === f.den ? 'half' : `${f.num}/${f.den}`);
