/**
 * The cycle's stage inputs as they arrive: one zod schema per input (strict objects; a refusal names
 * the field and the rule) and the input types they define. Shape only — whether an input fits the
 * live cycle is decided in rules.ts.
 */
import { z } from 'zod';
import { once } from '../once.js';
import { policySchema, positionIdSchema } from '../policy.js';
import {
  chineseNameSchema,
  count,
  isoDateSchema,
  jurisdictionIdSchema,
  personIdSchema,
  reasonSchema,
  termSchema,
} from '../schemas.js';
import { STAGES } from '../stages.js';

/** True when no two items share a key. */
export function uniqueBy<T>(key: (t: T) => string) {
  return (items: T[]) => new Set(items.map(key)).size === items.length;
}

export const positionSchema = once(() =>
  z.strictObject({
    id: positionIdSchema(),
    title: chineseNameSchema().describe('e.g. 区委书记'),
    seats: z.number().int().min(1).max(50),
  }),
);
export type Position = z.infer<ReturnType<typeof positionSchema>>;

/**
 * What every cycle is started with — its positions, committees and policy — and the rules across
 * them, the same for a direct start and for a campaign's template (the template once skipped the
 * competitive-position rule, found from outside). API-side only: no workflow parses these.
 */
const cycleTemplateFields = () => ({
  positions: z
    .array(positionSchema())
    .min(1)
    .max(100)
    .refine(
      uniqueBy((p: { id: string }) => p.id),
      'position ids must be unique',
    ),
  committees: z
    .strictObject({
      standing: z.number().int().min(3).max(100).describe('常委会 members'),
      full: z.number().int().min(3).max(1000).describe('全委会 members (应到会成员)'),
    })
    .refine((c) => c.standing <= c.full, {
      path: ['standing'],
      message: 'the standing committee (常委会) is elected from the full committee: at most full',
    }),
  policy: policySchema().optional(),
});
const competitivePositionsKnown = (
  t: {
    positions: { id: string }[];
    policy?: { competitivePositions: string[]; shortlistPerSeat?: number } | undefined;
  },
  ctx: z.RefinementCtx,
) => {
  const named = t.policy?.competitivePositions ?? [];
  const unknown = named.filter((id) => !t.positions.some((p) => p.id === id));
  if (unknown.length > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['policy', 'competitivePositions'],
      message: `names unknown position(s) ${unknown.join(', ')}: must be position ids of this cycle`,
    });
  if (new Set(named).size !== named.length)
    ctx.addIssue({
      code: 'custom',
      path: ['policy', 'competitivePositions'],
      message: 'each position at most once',
    });
  // A competitive (差额) shortlist has at least seats + 1 people, and the shortlist is capped at
  // shortlistPerSeat per seat: below 2 per seat, no competitive post could ever be decided.
  const perSeat = t.policy?.shortlistPerSeat;
  if (named.length > 0 && perSeat !== undefined && perSeat < 2)
    ctx.addIssue({
      code: 'custom',
      path: ['policy', 'shortlistPerSeat'],
      message: 'at least 2 when a position is competitive: its shortlist needs more people than seats',
    });
};

/** A campaign's template: every cycle it launches is started from it. */
export const cycleTemplateSchema = once(() =>
  z.strictObject(cycleTemplateFields()).superRefine(competitivePositionsKnown),
);

export const startCycleSchema = once(() =>
  z
    .strictObject({ jurisdictionId: jurisdictionIdSchema(), term: termSchema(), ...cycleTemplateFields() })
    .superRefine(competitivePositionsKnown),
);
export type StartCycleInput = z.infer<ReturnType<typeof startCycleSchema>>;

export const launchSchema = once(() =>
  z.strictObject({
    responsibilities: z
      .array(
        z.strictObject({
          task: chineseNameSchema(),
          measure: chineseNameSchema(),
          deadline: isoDateSchema(),
          owner: chineseNameSchema(),
        }),
      )
      .min(1, 'at least one responsibility (责任清单) item')
      .max(500),
    educationSessions: count().describe('警示教育 sessions held'),
    commitmentLetters: count().describe('承诺书 signed'),
    talks: count().default(0).describe('谈话 held ("四必谈")'),
  }),
);

export const analysisSchema = once(() =>
  z.strictObject({
    vacanciesPublishedOn: isoDateSchema().describe('空缺职位预告 date'),
    eligibleChecked: count().describe('people eligible for re-nomination whose "四必" checks were started'),
  }),
);

/** Why a list is below the 差额 ratio (not enough eligible people); it goes on the record and the ledger. */
const belowRatioReasonSchema = once(() =>
  reasonSchema().describe(
    'why fewer people than the policy ratio (差额) are offered, e.g. not enough eligible people; only when below it',
  ),
);

export const ROUNDS = ['cadreMeeting', 'fullCommittee'] as const;
export type Round = (typeof ROUNDS)[number];
export const recommendationRoundSchema = once(() =>
  z.strictObject({
    round: z.enum(ROUNDS).describe('干部大会 or 全委会'),
    voters: z.number().int().min(1).max(100_000),
    observers: count().default(0).describe('"两代表一委员" observers present'),
    tallies: z
      .array(
        z.strictObject({
          positionId: positionIdSchema(),
          persons: z
            .array(
              z.strictObject({
                personId: personIdSchema(),
                name: chineseNameSchema(),
                votes: count(),
                firstPromotion: z
                  .boolean()
                  .optional()
                  .describe('first promotion into the leadership: inspection needs a home visit (家访)'),
              }),
            )
            .min(1)
            .max(1000),
          belowRatioReason: belowRatioReasonSchema().optional(),
        }),
      )
      .min(1)
      .max(100),
  }),
);
export type RecommendationRound = z.infer<ReturnType<typeof recommendationRoundSchema>>;

export const standingCommitteeSchema = once(() =>
  z.strictObject({
    present: z.number().int().min(0),
    shortlist: z
      .array(
        z.strictObject({
          positionId: positionIdSchema(),
          personIds: z.array(personIdSchema()).max(200),
          belowRatioReason: belowRatioReasonSchema().optional(),
        }),
      )
      .max(100),
  }),
);

export const committeeVoteSchema = once(() =>
  z.strictObject({
    present: z.number().int().min(0),
    votes: z
      .array(z.strictObject({ positionId: positionIdSchema(), personId: personIdSchema(), inFavor: count() }))
      .max(2000),
  }),
);

export const dropNomineeSchema = once(() =>
  z.strictObject({
    personId: personIdSchema(),
    reason: reasonSchema(),
    cause: z.enum(['report', 'violation', 'other']).default('other'),
  }),
);

/** The same fields: a candidate who passed inspection but is no nominee is withdrawn (a report's finding). */
export const withdrawCandidateSchema = dropNomineeSchema;

export const approvalSchema = once(() =>
  z.strictObject({
    decision: z.enum(['approved', 'filed']).describe('审批 or 备案'),
    authority: chineseNameSchema().describe('the approving body, e.g. 深圳市委组织部'),
    rejections: z
      .array(z.strictObject({ personId: personIdSchema(), reason: reasonSchema() }))
      .max(100)
      .default([]),
  }),
);

export const electionSchema = once(() =>
  z.strictObject({
    votersPresent: z.number().int().min(1).max(100_000),
    validBallots: count(),
    // Empty where there is no approved nominee to vote on (every seat then unfilled): with at least
    // one required, a cycle whose candidates were all stopped could never be closed (found from
    // outside). A position that has nominees still needs its result, each nominee listed.
    results: z
      .array(
        z.strictObject({
          positionId: positionIdSchema(),
          persons: z.array(z.strictObject({ personId: personIdSchema(), votes: count() })).max(200),
        }),
      )
      .max(100),
    massPetitions: count().default(0).describe('群众上访 during the cycle'),
  }),
);

export const holdSchema = once(() =>
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9:_.-]{1,80}$/, 'letters, digits and : _ . -, at most 80'),
    reason: reasonSchema(),
    personId: personIdSchema().optional().describe('holds only this person (e.g. a nominee under report)'),
    stage: z
      .enum(STAGES)
      .optional()
      .describe('holds only the gate out of this stage (a high risk holds its stage); default: every gate'),
    source: z.enum(['report', 'supervision', 'risk', 'organizer', 'calendar']).default('organizer'),
  }),
);
/**
 * What an organizer raises over the API: a hold of their own. Reports, supervision findings and risks
 * raise theirs through their workflows, so a hold's source is never a caller's say-so.
 */
/**
 * Names the system's holds take (report-<id>, finding-<id>, risk-<id>, calendar…), in any case: never an
 * organizer's. Any name that starts `calendar` is the system's, as the README says (found from outside:
 * `calendar2027` and `calendar:x` were taken).
 */
export const SYSTEM_HOLD_NAME = /^(report-|finding-|risk-|calendar)/i;
export const organizerHoldSchema = once(() =>
  z.strictObject({
    ...holdSchema().shape,
    // An organizer's hold under a system name would take that name first: the finding's own hold
    // would then be refused as a duplicate and its gate left open once the organizer released theirs.
    name: holdSchema().shape.name.refine(
      (n) => !SYSTEM_HOLD_NAME.test(n),
      'not a name the system gives its holds (report-…, finding-…, risk-…, calendar…)',
    ),
    source: z
      .literal('organizer')
      .default('organizer')
      .describe('always organizer: holds of reports, supervision and risks are raised by their own processes'),
  }),
);
export const releaseHoldSchema = once(() =>
  z.strictObject({ name: holdSchema().shape.name, resolution: reasonSchema() }),
);
/**
 * The cycle's own release input: `bySource` marks a release sent by the process that raised the hold
 * (the report's finding, the accepted rectification, the upper level's resolution of a risk). The
 * API sends `releaseHoldSchema`, which has no such field.
 */
export const sourceReleaseHoldSchema = once(() =>
  z.strictObject({
    ...releaseHoldSchema().shape,
    bySource: z.literal(true).optional(),
    asChecked: checkedHoldSchema().optional(),
  }),
);
export const reasonOnlySchema = once(() => z.strictObject({ reason: reasonSchema() }));
/** The cycle's own suspend, resume and abort input: the API's (`reasonOnlySchema`) and what it checked. */
export const statusChangeSchema = once(() =>
  z.strictObject({
    ...reasonOnlySchema().shape,
    asChecked: z.strictObject({ suspendedIn: z.string().nullable() }).optional(),
  }),
);

/**
 * What the API checked a caller's authority against, sent with a hand release, a resumption or an abort:
 * the hand hold of that name as it stood (its level and roles; null when there was none), or the level
 * that had suspended the cycle (null when none had). The cycle refuses the input when what it would act
 * on is no longer that, so the check and the act concern the same thing (found from outside: releases
 * sent while the city raised a hold of the same name lifted the city's hold; an abort sent as the city
 * suspended the cycle aborted the suspended cycle). Absent: nothing was checked outside (the system's
 * own inputs, runs from before).
 */
export const checkedHoldSchema = once(() =>
  z.strictObject({ raisedIn: z.string().nullable(), raisedAs: z.array(z.string()).nullable() }).nullable(),
);

export type LaunchInput = z.infer<ReturnType<typeof launchSchema>>;
export type AnalysisInput = z.infer<ReturnType<typeof analysisSchema>>;
export type StandingCommitteeInput = z.infer<ReturnType<typeof standingCommitteeSchema>>;
export type CommitteeVoteInput = z.infer<ReturnType<typeof committeeVoteSchema>>;
export type DropNomineeInput = z.infer<ReturnType<typeof dropNomineeSchema>>;
export type WithdrawCandidateInput = DropNomineeInput;
export type ApprovalInput = z.infer<ReturnType<typeof approvalSchema>>;
export type ElectionInput = z.infer<ReturnType<typeof electionSchema>>;
export type HoldInput = z.infer<ReturnType<typeof holdSchema>>;
export type ReleaseHoldInput = z.infer<ReturnType<typeof sourceReleaseHoldSchema>>;
export type StatusChangeInput = z.infer<ReturnType<typeof statusChangeSchema>>;
export type CheckedHold = z.infer<ReturnType<typeof checkedHoldSchema>>;
