/**
 * A candidate's inspection (考察, "体检式"): the checklist the inspection team fills, the joint-review
 * verdicts of the departments (联审), and the personal-matters verification (个人有关事项). Pure: the
 * candidate workflow calls these to validate input and decide the outcome.
 *
 * The candidate passes only when nothing is missing or unclear (必清): every interview category has
 * its count, the home visit is done where required, the reverse evaluation and the five mandatory
 * checks (必核) are clear or carry a concern, every department has answered (a late one counts as
 * clear only if the policy says so), and personal matters show no concealment. A `disqualifying`
 * verdict from any department, or a concealment, stops the candidate at once.
 */
import { z } from 'zod';
import { DomainError, ErrorType, type FieldIssue } from './errors.js';
import { DEPARTMENTS, DEPARTMENT_LABELS, type Department, type Policy } from './policy.js';
import { once } from './once.js';
import { reasonSchema } from './schemas.js';

export const INTERVIEW_CATEGORIES = {
  superiors: '上级领导',
  subordinates: '下属',
  disciplineHead: '纪检负责人',
  hrHead: '组织人事负责人',
  informedPeople: '知情人',
  serviceUsers: '服务对象代表',
  previousPosts: '前两个岗位同事',
  candidateAndSpouse: '本人及配偶',
} as const;
export type InterviewCategory = keyof typeof INTERVIEW_CATEGORIES;

export const MANDATORY_CHECKS = {
  personnelFile: '档案',
  personalMattersReport: '个人有关事项报告',
  lettersAndPetitions: '信访举报',
  issuesRaised: '考察中反映的问题',
  doubtfulPoints: '疑点',
} as const;
export type MandatoryCheck = keyof typeof MANDATORY_CHECKS;

export const PERSONAL_MATTER_ITEMS = {
  marriage: '婚姻状况',
  spouseAbroad: '配偶移居国（境）外',
  childrenAbroad: '子女移居国（境）外',
  familyEmployment: '配偶子女从业',
  business: '配偶子女经商办企业',
  realEstate: '房产',
  investments: '投资',
  insurance: '保险',
} as const;
export type PersonalMatterItem = keyof typeof PERSONAL_MATTER_ITEMS;

const checkState = once(() =>
  z.strictObject({
    status: z.enum(['clear', 'concern', 'unclear']).describe('unclear: not yet 必清, blocks the dossier'),
    note: z.string().trim().max(2000).default(''),
  }),
);

/** One recording by the inspection team; parts it does not name stay as they were. */
export const inspectionRecordSchema = once(() =>
  z
    .strictObject({
      interviews: z
        .partialRecord(
          z.enum(Object.keys(INTERVIEW_CATEGORIES) as [InterviewCategory, ...InterviewCategory[]]),
          z.number().int().min(0).max(10_000),
        )
        .optional()
        .describe('people talked to, added to the counts so far (必谈)'),
      homeVisit: z
        .strictObject({ done: z.boolean(), note: z.string().max(2000).default('') })
        .optional()
        .describe('家访'),
      reverseEvaluation: z
        .strictObject({
          participants: z.number().int().min(1).max(100_000),
          negative: z.number().int().min(0).max(100_000).describe('people rating any of the 四德 negatively'),
          status: z.enum(['clear', 'concern']),
          note: z.string().max(2000).default(''),
        })
        .refine((r) => r.negative <= r.participants, {
          message: 'negative must not exceed participants',
          path: ['negative'],
        })
        .optional()
        .describe('四德反向测评'),
      checks: z
        .partialRecord(z.enum(Object.keys(MANDATORY_CHECKS) as [MandatoryCheck, ...MandatoryCheck[]]), checkState())
        .optional()
        .describe('必核'),
    })
    .refine((r) => r.interviews || r.homeVisit || r.reverseEvaluation || r.checks, {
      message: 'record at least one part (interviews, homeVisit, reverseEvaluation, checks)',
    }),
);
export type InspectionRecord = z.infer<ReturnType<typeof inspectionRecordSchema>>;

export const VERDICTS = ['clear', 'concern', 'disqualifying'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const verdictSchema = once(() =>
  z.strictObject({
    department: z.enum(DEPARTMENTS),
    verdict: z.enum(VERDICTS),
    reason: reasonSchema(),
  }),
);
export type VerdictInput = z.infer<ReturnType<typeof verdictSchema>>;

/** The inspection team closes a dossier: passed (with its concerns) or stopped (with the reason). */
export const dossierSchema = once(() =>
  z.discriminatedUnion('result', [
    z.strictObject({ result: z.literal('passed'), concerns: z.array(reasonSchema()).max(50).default([]) }),
    z.strictObject({
      result: z.literal('stopped'),
      reason: reasonSchema(),
      cause: z.enum(['report', 'review', 'violation', 'other']).default('other'),
    }),
  ]),
);
export type DossierInput = z.input<ReturnType<typeof dossierSchema>>;
/** A candidacy ended from outside the inspection (a report's finding, a dropped nominee). */
export const stopSchema = once(() =>
  z.strictObject({
    reason: reasonSchema(),
    cause: z.enum(['report', 'review', 'violation', 'other']).default('other'),
  }),
);
export type StopInput = z.input<ReturnType<typeof stopSchema>>;

// A count (flats, policies) or an amount in whole yuan is at least 0 and whole: -1 or 0.01 made a difference
// of units the classification acted on (found from outside: -1 against 1 flat stopped the candidate as a
// concealment, 0.01 against 2 left one an omission).
const matterValue = once(() =>
  z.union([
    z.string().max(500),
    z.number().int('a whole number (a count, or an amount in yuan)').min(0, 'at least 0').max(Number.MAX_SAFE_INTEGER),
    z.boolean(),
  ]),
);
export const personalMattersSchema = once(() =>
  z
    .strictObject({
      items: z
        .array(
          z
            .strictObject({
              item: z.enum(Object.keys(PERSONAL_MATTER_ITEMS) as [PersonalMatterItem, ...PersonalMatterItem[]]),
              declared: matterValue().describe('as reported by the candidate'),
              verified: matterValue().describe('as found by verification'),
              deliberate: z
                .boolean()
                .default(false)
                .describe('verification found the discrepancy was knowingly hidden'),
              description: z
                .string()
                .trim()
                .max(2000)
                .optional()
                .describe('what verification found, in words (sealed with the values; never shown outside the record)'),
            })
            // Compared as they are: "1" against 1 would be a discrepancy, and false against "false" a
            // concealment that stops the candidate. A value's type is the client's, not a finding.
            .refine((i) => typeof i.declared === typeof i.verified, {
              message: 'the same type as declared (both numbers, both text, or both true/false)',
              path: ['verified'],
            }),
        )
        .min(1)
        .max(50),
    })
    .refine((p) => new Set(p.items.map((i) => i.item)).size === p.items.length, {
      message: 'each item once',
      path: ['items'],
    }),
);
export type PersonalMattersInput = z.infer<ReturnType<typeof personalMattersSchema>>;

export type PersonalMattersRules = Policy['inspection']['personalMatters'];

/**
 * A check compares every matter the policy counts as critical, and each such matter (hiding it whole is a
 * concealment) is declared and verified as true/false — has it or not — or as a count, so "declared as none" is exactly false or 0. As text it
 * read as none only when it was 无 or empty: 否, 没有, none or no declared against a spouse found abroad
 * made an omission of what stops the candidate (found from outside). Words go in `description`. The
 * issues name the field and the rule, never a value (the values are sealed).
 */
export function criticalMatterIssues(input: PersonalMattersInput, rules: PersonalMattersRules): FieldIssue[] {
  // A check is recorded once, so one that left a critical matter out closed the comparison without looking
  // at it, and a concealment found after could never be recorded (found from outside).
  const missing = rules.criticalItems.filter((item) => !input.items.some((i) => i.item === item));
  const coverage = missing.length
    ? [
        {
          path: 'items',
          rule: `every critical matter of the policy compared (${rules.criticalItems.join(', ')}): missing ${missing.join(', ')}`,
        },
      ]
    : [];
  return [...typed(), ...coverage];

  function typed(): FieldIssue[] {
    return input.items.flatMap((i, n) =>
      rules.criticalItems.includes(i.item)
        ? (['declared', 'verified'] as const)
            .filter((field) => typeof i[field] === 'string')
            .map((field) => ({
              path: `items.${n}.${field}`,
              rule: `true/false or a count for ${i.item}, a critical matter of the policy (what was found, in words, goes in description)`,
            }))
        : [],
    );
  }
}

export interface Discrepancy {
  item: PersonalMatterItem;
  kind: 'omission' | 'concealment';
  /** The rule that decided the kind, stored with it. */
  rule: string;
}

export interface PersonalMattersResult {
  outcome: 'consistent' | 'omission' | 'concealment';
  discrepancies: Discrepancy[];
}

/**
 * Compares declared with verified, field by field. A discrepancy is a concealment (瞒报) when it
 * was knowingly hidden, when it hides a whole matter the policy counts as critical (e.g. a spouse
 * abroad declared as none), or when it leaves out at least `undeclaredUnits` units of a counted item
 * (e.g. two flats); otherwise an omission (漏报).
 */
export function classifyPersonalMatters(
  input: PersonalMattersInput,
  policy: { inspection: { personalMatters: PersonalMattersRules } },
): PersonalMattersResult {
  const rules = policy.inspection.personalMatters;
  const discrepancies: Discrepancy[] = [];
  for (const i of input.items) {
    if (sameValue(i.declared, i.verified) || overDeclared(i)) continue;
    // A critical matter is true/false or a count (criticalMatterIssues): none is false or 0.
    const hiddenWhole = (i.declared === false || i.declared === 0) && i.verified !== false && i.verified !== 0;
    const missingUnits = typeof i.declared === 'number' && typeof i.verified === 'number' ? i.verified - i.declared : 0;
    let kind: Discrepancy['kind'] = 'omission';
    let rule = 'discrepancy without aggravating circumstance → omission (漏报)';
    if (i.deliberate) {
      kind = 'concealment';
      rule = 'verification found it knowingly hidden → concealment (瞒报)';
    } else if (hiddenWhole && rules.criticalItems.includes(i.item)) {
      kind = 'concealment';
      rule = `a whole critical matter (${PERSONAL_MATTER_ITEMS[i.item]}) declared as none → concealment (瞒报)`;
    } else if (missingUnits >= rules.undeclaredUnits) {
      kind = 'concealment';
      // The threshold, not the count: the rule goes where the sealed figures may not (the candidate's
      // history and GET, the timeline, the ledger), and a difference gives one figure away with the other.
      rule = `at least ${rules.undeclaredUnits} undeclared units of ${PERSONAL_MATTER_ITEMS[i.item]} → concealment (瞒报)`;
    }
    discrepancies.push({ item: i.item, kind, rule });
  }
  return { outcome: outcomeOf(discrepancies), discrepancies };
}

type MatterValue = PersonalMattersInput['items'][number]['declared'];

/** Text is compared as it reads: full-width and half-width forms, and spaces around and between, are one. */
function sameValue(a: MatterValue, b: MatterValue): boolean {
  const reads = (t: string) => t.normalize('NFKC').trim().replace(/\s+/g, ' ');
  return typeof a === 'string' && typeof b === 'string' ? reads(a) === reads(b) : a === b;
}

/**
 * More declared than verification found (5 flats against 1, a spouse abroad against none): nothing was left
 * out, so it is neither an omission (漏报) nor a concealment (found from outside: each was recorded 漏报).
 * The values stay in the sealed record for the organization department to read.
 */
function overDeclared(i: { declared: MatterValue; verified: MatterValue }): boolean {
  if (typeof i.declared === 'number' && typeof i.verified === 'number') return i.declared > i.verified;
  return i.declared === true && i.verified === false;
}

/**
 * What the candidate workflow is told about a personal-matters check: the id of the sealed details
 * in Postgres and the classification (kinds and deciding rules, no values, no descriptions). The
 * outcome is recomputed from the discrepancies so the two cannot disagree.
 */
export const personalMattersMessageSchema = once(() =>
  z.strictObject({
    sealedRef: z.string().regex(/^S-[0-9a-f-]{36}$/, 'an id of sealed details'),
    classification: z.strictObject({
      outcome: z.enum(['consistent', 'omission', 'concealment']),
      discrepancies: z
        .array(
          z.strictObject({
            item: z.enum(Object.keys(PERSONAL_MATTER_ITEMS) as [PersonalMatterItem, ...PersonalMatterItem[]]),
            kind: z.enum(['omission', 'concealment']),
            rule: z.string().max(500),
          }),
        )
        .max(50),
    }),
  }),
);
export type PersonalMattersMessage = z.infer<ReturnType<typeof personalMattersMessageSchema>>;

export function outcomeOf(discrepancies: Discrepancy[]): PersonalMattersResult['outcome'] {
  return discrepancies.some((d) => d.kind === 'concealment')
    ? 'concealment'
    : discrepancies.length > 0
      ? 'omission'
      : 'consistent';
}

// ---------------------------------------------------------------------------------------------
// The dossier

export type ReviewStatus = 'open' | 'chased' | 'escalated' | 'answered' | 'closed';

export interface ReviewState {
  department: Department;
  status: ReviewStatus;
  verdict?: Verdict;
  reason?: string;
  answeredAt?: number;
  answeredBy?: string;
  chasedAt?: number;
  escalatedAt?: number;
}

export interface Dossier {
  firstPromotion: boolean;
  interviews: Partial<Record<InterviewCategory, number>>;
  homeVisit?: { done: boolean; note: string };
  reverseEvaluation?: { participants: number; negative: number; status: 'clear' | 'concern'; note: string };
  checks: Partial<Record<MandatoryCheck, { status: 'clear' | 'concern' | 'unclear'; note: string }>>;
  reviews: ReviewState[];
  reviewOpenedAt?: number;
  chaseAt?: number;
  deadline?: number;
  personalMatters?: PersonalMattersResult & { checkedAt: number };
}

export function newDossier(policy: Policy, firstPromotion: boolean): Dossier {
  return {
    firstPromotion,
    interviews: {},
    checks: {},
    reviews: policy.jointReview.departments.map((department) => ({ department, status: 'open' as const })),
  };
}

export function applyInspectionRecord(d: Dossier, r: InspectionRecord) {
  for (const [k, v] of Object.entries(r.interviews ?? {}) as [InterviewCategory, number][])
    d.interviews[k] = (d.interviews[k] ?? 0) + v;
  if (r.homeVisit) d.homeVisit = r.homeVisit;
  if (r.reverseEvaluation) d.reverseEvaluation = r.reverseEvaluation;
  Object.assign(d.checks, r.checks ?? {});
}

/** Everything still missing or unclear, in words a person can act on; empty when the dossier can close. */
export function missingItems(d: Dossier, policy: Policy, now: number): string[] {
  const missing: string[] = [];
  for (const [k, label] of Object.entries(INTERVIEW_CATEGORIES) as [InterviewCategory, string][]) {
    const need = policy.inspection.interviews[k];
    if ((d.interviews[k] ?? 0) < need) missing.push(`必谈 ${label} (${k}): ${d.interviews[k] ?? 0} of ${need}`);
  }
  if (d.firstPromotion && policy.inspection.homeVisitForFirstPromotion && !d.homeVisit?.done)
    missing.push('家访 (homeVisit): required for a first promotion');
  if (!d.reverseEvaluation) missing.push('四德反向测评 (reverseEvaluation)');
  for (const [k, label] of Object.entries(MANDATORY_CHECKS) as [MandatoryCheck, string][]) {
    const c = d.checks[k];
    if (!c) missing.push(`必核 ${label} (${k})`);
    else if (c.status === 'unclear') missing.push(`必清 ${label} (${k}) is unclear`);
  }
  for (const r of d.reviews) {
    if (r.verdict) continue;
    const late = d.deadline !== undefined && now >= d.deadline;
    if (late && policy.jointReview.lateCountsAsClear) continue;
    missing.push(`联审 ${DEPARTMENT_LABELS[r.department]} (${r.department}) verdict${late ? ' (overdue)' : ''}`);
  }
  if (!d.personalMatters) missing.push('个人有关事项核查 (personalMatters)');
  return missing;
}

/** A concealment's stop reason: which matters were concealed stays sealed with the comparison. */
export const CONCEALMENT_STOP_REASON = '个人有关事项瞒报, 诫勉（所涉事项已封存，组织部门可查）';
/** An omission's concern for the decision stage, likewise without the matters. */
export const OMISSION_CONCERN = '个人有关事项漏报（批评教育）（所涉事项已封存，组织部门可查）';

/**
 * Why the candidate must stop now, if anything says so. `sealed`: whether a concealment's reason leaves
 * its matters out (a run from before names them — found from outside: the reason reached every role
 * that reads the candidate, the cycle and its timeline, naming e.g. a spouse abroad).
 */
export function stopReason(
  d: Dossier,
  sealed: () => boolean = () => true,
): { reason: string; cause: 'review' | 'violation' } | undefined {
  const veto = d.reviews.find((r) => r.verdict === 'disqualifying');
  if (veto)
    return {
      reason: `${DEPARTMENT_LABELS[veto.department]} (${veto.department}) disqualifying: ${veto.reason ?? ''}`,
      cause: 'review',
    };
  if (d.personalMatters?.outcome === 'concealment') {
    if (sealed()) return { reason: CONCEALMENT_STOP_REASON, cause: 'violation' };
    const rules = d.personalMatters.discrepancies
      .filter((x) => x.kind === 'concealment')
      .map((x) => `${PERSONAL_MATTER_ITEMS[x.item]}: ${x.rule}`);
    return { reason: `个人有关事项瞒报, 诫勉 — ${rules.join('; ')}`, cause: 'violation' };
  }
  return undefined;
}

/** Flags the decision stage must see: concerns from departments, checks and evaluation, omissions. */
export function concernsOf(d: Dossier, teamConcerns: string[], sealed: () => boolean = () => true): string[] {
  return [
    ...d.reviews
      .filter((r) => r.verdict === 'concern')
      .map((r) => `${DEPARTMENT_LABELS[r.department]}: ${r.reason ?? ''}`),
    ...(Object.entries(d.checks) as [MandatoryCheck, { status: string; note: string }][])
      .filter(([, c]) => c.status === 'concern')
      .map(([k, c]) => `${MANDATORY_CHECKS[k]}: ${c.note}`),
    ...(d.reverseEvaluation?.status === 'concern' ? [`四德反向测评: ${d.reverseEvaluation.note}`] : []),
    ...(d.personalMatters?.outcome === 'omission'
      ? [
          sealed()
            ? OMISSION_CONCERN
            : `个人有关事项漏报（批评教育）: ${d.personalMatters.discrepancies.map((x) => PERSONAL_MATTER_ITEMS[x.item]).join('、')}`,
        ]
      : []),
    ...teamConcerns,
  ];
}

export function checkVerdict(d: Dossier, v: VerdictInput) {
  const review = d.reviews.find((r) => r.department === v.department);
  if (!review)
    throw new DomainError(ErrorType.Validation, `${v.department} is not a joint-review department of this cycle`, [
      { path: 'department', rule: "one of the policy's departments" },
    ]);
  if (review.verdict)
    throw new DomainError(ErrorType.Duplicate, `${v.department} already returned its verdict (${review.verdict})`, [
      { path: 'department', rule: 'one verdict per department' },
    ]);
  if (review.status === 'closed')
    throw new DomainError(ErrorType.Closed, `the review task of ${v.department} is closed`);
}
