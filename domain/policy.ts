/**
 * The rule set a cycle runs under (docs/domain.md, "A cycle and its stages"). A cycle copies the resolved policy
 * at start (its snapshot), so changing defaults or a province's policy never changes a running cycle.
 */
import { z } from 'zod';
import { calendarSchema } from './calendar.js';

export const DEPARTMENTS = [
  'discipline',
  'audit',
  'establishment',
  'court',
  'procuratorate',
  'petitions',
  'publicSecurity',
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
};

/** A fraction kept as two integers so that "≥ 2/3" is decided exactly, never by floating point. */
const fraction = z
  .strictObject({
    num: z.number().int().min(1),
    den: z.number().int().min(1),
  })
  .refine((f) => f.num <= f.den, { message: 'must not exceed 1' });
export type Fraction = z.infer<typeof fraction>;

export const positionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -, at most 40');

export const policySchema = z.strictObject({
  version: z.string().min(1).max(60).default('central-default'),
  inspectionPerSeat: z.number().int().min(1).max(10).default(3).describe('考察对象 per seat (1:3)'),
  shortlistPerSeat: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(2)
    .describe('shortlist per seat after the standing committee (1:2)'),
  committeeQuorum: fraction
    .default({ num: 2, den: 3 })
    .describe('a meeting is valid with at least this share of members present'),
  decisionMajority: fraction
    .default({ num: 1, den: 2 })
    .describe('a nomination passes with more than this share of ALL members'),
  electionMajority: fraction.default({ num: 1, den: 2 }).describe('elected with more than this share of valid ballots'),
  competitivePositions: z
    .array(positionIdSchema)
    .max(100)
    .default([])
    .describe('positions elected competitively (差额)'),
  publicityWorkingDays: z.number().int().min(1).max(60).default(5),
  reportDeadlines: z
    .strictObject({
      importantWorkingDays: z.number().int().min(0).max(30).default(0),
      directCheckWorkingDays: z.number().int().min(1).max(60).default(5),
      supervisedCalendarDays: z.number().int().min(1).max(120).default(10),
    })
    .prefault({}),
  jointReview: z
    .strictObject({
      departments: z
        .array(z.enum(DEPARTMENTS))
        .min(1)
        .max(DEPARTMENTS.length)
        .default([...DEPARTMENTS]),
      deadlineWorkingDays: z.number().int().min(1).max(60).default(5),
      chaseAtWorkingDays: z.number().int().min(0).max(60).default(3),
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
        .describe('a checkpoint is due this many working days after it opens'),
      escalateAfterWorkingDays: z
        .number()
        .int()
        .min(0)
        .max(30)
        .default(1)
        .describe('overdue items go up a level this long after their deadline'),
    })
    .prefault({}),
  replaceStoppedCandidates: z
    .boolean()
    .default(true)
    .describe('the next-ranked person enters inspection when a candidate is stopped'),
  calendar: calendarSchema.default({ kind: 'cn', overrides: [] }),
});
export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

export const defaultPolicy = (): Policy => policySchema.parse({});
