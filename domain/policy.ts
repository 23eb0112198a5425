/**
 * The rule set a cycle runs under (docs/domain.md, "A cycle and its stages"). A cycle copies the resolved policy
 * at start (its snapshot), so changing defaults or a province's policy never changes a running cycle.
 */
import { z } from 'zod';
import { calendarSchema } from './calendar.js';
import { CALENDAR_DAYS_RULE, WORKING_DAYS_RULE } from './beijing.js';
import { once } from './once.js';
import { idPattern } from './schemas.js';

/**
 * The catalogue of joint-review departments (联审) a jurisdiction's policy may choose from. Which of
 * them review is each place's policy: the central default is the seven below without the
 * organization department; Haimen's 三责联审 is organization (用人权) + audit (用财权) +
 * establishment (用编权). The organization department's own reviewers hold `reviewer:organization`
 * (a role apart from `organizer`, which drives the cycle). Every department is handled alike: its
 * inbox, chase and escalation, verdict and ledger figures.
 */
export const DEPARTMENTS = [
  'discipline',
  'audit',
  'establishment',
  'court',
  'procuratorate',
  'petitions',
  'publicSecurity',
  'organization',
] as const;
export type Department = (typeof DEPARTMENTS)[number];
export const DEPARTMENT_LABELS: Record<Department, string> = {
  discipline: '纪委监委',
  audit: '审计',
  establishment: '编办',
  court: '法院',
  procuratorate: '检察院',
  petitions: '信访',
  publicSecurity: '公安/综治',
  organization: '组织部',
};
/** The central default: every department of the catalogue but the organization department. */
export const DEFAULT_DEPARTMENTS: Department[] = DEPARTMENTS.filter((d) => d !== 'organization');

/** A fraction kept as two integers so that "≥ 2/3" is decided exactly, never by floating point. */
const fraction = once(() =>
  z
    .strictObject({
      num: z.number().int().min(1),
      den: z.number().int().min(1),
    })
    .refine((f) => f.num <= f.den, { message: 'must not exceed 1' }),
);
export type Fraction = z.infer<ReturnType<typeof fraction>>;
/** "More than this share" passes: at 1 (all of them) nothing ever could, so a majority stays below 1. */
const majority = once(() =>
  z
    .strictObject({ num: z.number().int().min(1), den: z.number().int().min(1) })
    .refine((f) => f.num < f.den, { message: 'must be below 1: more than all of them can never be reached' }),
);

export const positionIdSchema = once(() =>
  z
    .string()
    .regex(
      idPattern(40),
      'letters, digits, _ or -, at most 40, and not __proto__, constructor or another name every object has',
    ),
);

export const policySchema = once(() =>
  z
    .strictObject({
      // Shown as the policy's name wherever the cycle is: spaces alone named nothing (found from outside).
      version: z.string().min(1).max(60).regex(/\S/, 'a name, not spaces only').default('central-default'),
      inspectionPerSeat: z.number().int().min(1).max(10).default(3).describe('考察对象 per seat (1:3)'),
      shortlistPerSeat: z
        .number()
        .int()
        .min(1)
        .max(10)
        .default(2)
        .describe('shortlist per seat after the standing committee (1:2)'),
      committeeQuorum: fraction()
        .default({ num: 2, den: 3 })
        .describe('a meeting is valid with at least this share of members present'),
      decisionMajority: majority()
        .default({ num: 1, den: 2 })
        .describe('a nomination passes with more than this share of ALL members'),
      electionMajority: majority()
        .default({ num: 1, den: 2 })
        .describe('elected with more than this share of valid ballots'),
      competitivePositions: z
        .array(positionIdSchema())
        .max(100)
        .default([])
        .describe('positions elected competitively (差额)'),
      publicityWorkingDays: z
        .number()
        .int()
        .min(1)
        .max(60)
        .default(5)
        .describe(`任职公示期 (publicity period). ${WORKING_DAYS_RULE}`),
      reportDeadlines: z
        .strictObject({
          importantWorkingDays: z
            .number()
            .int()
            .min(0)
            .max(30)
            .default(0)
            .describe(`important reports (0: the same working day). ${WORKING_DAYS_RULE}`),
          directCheckWorkingDays: z
            .number()
            .int()
            .min(1)
            .max(60)
            .default(5)
            .describe(`直接查核件. ${WORKING_DAYS_RULE}`),
          supervisedCalendarDays: z
            .number()
            .int()
            .min(1)
            .max(120)
            .default(10)
            .describe(`立项督办件. ${CALENDAR_DAYS_RULE}`),
        })
        .prefault({}),
      jointReview: z
        .strictObject({
          departments: z
            .array(z.enum(DEPARTMENTS))
            .min(1)
            .max(DEPARTMENTS.length)
            // A department named twice would get two tasks for one verdict, and the candidate could never pass.
            .refine((d) => new Set(d).size === d.length, { message: 'each department once' })
            .default([...DEFAULT_DEPARTMENTS])
            .describe(`joint-review departments (联审), from the catalogue: ${DEPARTMENTS.join(', ')}`),
          deadlineWorkingDays: z
            .number()
            .int()
            .min(1)
            .max(60)
            .default(5)
            .describe(`each department's deadline; silent ones are escalated then. ${WORKING_DAYS_RULE}`),
          chaseAtWorkingDays: z
            .number()
            .int()
            .min(0)
            .max(60)
            .default(3)
            .describe(`silent departments are chased (催办) then. ${WORKING_DAYS_RULE}`),
          lateCountsAsClear: z.boolean().default(false).describe('only if a policy says so explicitly'),
        })
        .prefault({})
        .refine((j) => j.chaseAtWorkingDays <= j.deadlineWorkingDays, {
          message: 'chaseAtWorkingDays must not be after deadlineWorkingDays',
          path: ['chaseAtWorkingDays'],
        }),
      inspection: z
        .strictObject({
          interviews: z
            .strictObject({
              superiors: z.number().int().min(0).max(100).default(2),
              subordinates: z.number().int().min(0).max(100).default(5),
              disciplineHead: z.number().int().min(0).max(100).default(1),
              hrHead: z.number().int().min(0).max(100).default(1),
              informedPeople: z.number().int().min(0).max(100).default(3),
              serviceUsers: z.number().int().min(0).max(100).default(3),
              previousPosts: z.number().int().min(0).max(100).default(2),
              candidateAndSpouse: z.number().int().min(0).max(100).default(2),
            })
            .prefault({})
            .describe('minimum people talked to per 必谈 category'),
          homeVisitForFirstPromotion: z.boolean().default(true),
          personalMatters: z
            .strictObject({
              criticalItems: z
                .array(
                  z.enum([
                    'marriage',
                    'spouseAbroad',
                    'childrenAbroad',
                    'familyEmployment',
                    'business',
                    'realEstate',
                    'investments',
                    'insurance',
                  ]),
                )
                .refine((items) => new Set(items).size === items.length, { message: 'each item once' })
                .default(['spouseAbroad', 'childrenAbroad', 'business'])
                .describe('hiding the whole matter is a concealment'),
              undeclaredUnits: z
                .number()
                .int()
                .min(1)
                .max(100)
                .default(2)
                .describe('this many undeclared units (e.g. flats) is a concealment'),
            })
            .prefault({}),
        })
        .prefault({}),
      supervision: z
        .strictObject({
          checkpointWorkingDays: z
            .number()
            .int()
            .min(1)
            .max(60)
            .default(5)
            .describe(`a checkpoint is due this many working days after it opens. ${WORKING_DAYS_RULE}`),
          escalateAfterWorkingDays: z
            .number()
            .int()
            .min(0)
            .max(30)
            .default(1)
            .describe(`overdue items go up a level this many working days after their deadline. ${WORKING_DAYS_RULE}`),
        })
        .prefault({}),
      replaceStoppedCandidates: z
        .boolean()
        .default(true)
        .describe('the next-ranked person enters inspection when a candidate is stopped'),
      // A fresh default each time: a shared `overrides` array would be one list for every policy parsed.
      calendar: calendarSchema().default(() => ({ kind: 'cn' as const, overrides: [] })),
    })
    // The shortlist (1:2) is drawn from the inspection candidates (1:3): it cannot be the longer list.
    .refine((p) => p.shortlistPerSeat <= p.inspectionPerSeat, {
      path: ['shortlistPerSeat'],
      message: 'the shortlist is drawn from the inspection candidates: at most inspectionPerSeat',
    }),
);
export type Policy = z.infer<ReturnType<typeof policySchema>>;
export type PolicyInput = z.input<ReturnType<typeof policySchema>>;

export const defaultPolicy = (): Policy => policySchema().parse({});
