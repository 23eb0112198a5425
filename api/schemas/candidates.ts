/** What the candidate and joint-review routes answer: a candidate's inspection, and review tasks. */
import { z } from '@hono/zod-openapi';
import * as I from '../../domain/inspection.js';
import { DEPARTMENTS } from '../../domain/policy.js';
import { WORKING_DAYS_RULE } from '../../domain/beijing.js';
import { stopCauseSchema } from './cycles.js';
import { CANDIDACY_STATUSES } from '../../domain/cycle/rows.js';
import { epochMs, instant } from './common.js';

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const personalMatterItem = z.enum(keys(I.PERSONAL_MATTER_ITEMS));

export const discrepancySchema = z.object({
  item: personalMatterItem,
  kind: z.enum(['omission', 'concealment']),
  rule: z.string().openapi({ description: 'the rule that decided the kind' }),
});

const reviewStateSchema = z.object({
  department: z.enum(DEPARTMENTS),
  status: z.enum(['open', 'chased', 'escalated', 'answered', 'closed']),
  verdict: z.enum(I.VERDICTS).optional(),
  reason: z.string().optional(),
  answeredAt: epochMs.optional(),
  answeredBy: z.string().optional(),
  chasedAt: epochMs.optional(),
  escalatedAt: epochMs.optional(),
});

const dossierSchema = z.object({
  firstPromotion: z.boolean(),
  interviews: z.partialRecord(z.enum(keys(I.INTERVIEW_CATEGORIES)), z.number().int()),
  homeVisit: z.object({ done: z.boolean(), note: z.string() }).optional(),
  reverseEvaluation: z
    .object({
      participants: z.number().int(),
      negative: z.number().int(),
      status: z.enum(['clear', 'concern']),
      note: z.string(),
    })
    .optional(),
  checks: z.partialRecord(
    z.enum(keys(I.MANDATORY_CHECKS)),
    z.object({ status: z.enum(['clear', 'concern', 'unclear']), note: z.string() }),
  ),
  reviews: z.array(reviewStateSchema),
  reviewOpenedAt: epochMs.optional(),
  chaseAt: epochMs.optional(),
  deadline: epochMs.optional(),
  personalMatters: z
    .object({
      outcome: z.enum(['consistent', 'omission', 'concealment']),
      discrepancies: z.array(discrepancySchema).openapi({
        description: 'empty for every role but the organization department (then `sealed` is true)',
      }),
      sealed: z.literal(true).optional().openapi({
        description: 'present when the discrepancies are withheld from your role: empty does not mean none',
      }),
      checkedAt: epochMs,
    })
    .optional(),
});

export const candidateStateSchema = z
  .object({
    cycleId: z.string(),
    personId: z.string(),
    name: z.string(),
    positionId: z.string(),
    status: z.enum(['inspecting', 'passed', 'stopped']),
    outcome: z
      .object({
        personId: z.string(),
        result: z.enum(['passed', 'stopped']),
        reason: z.string().optional(),
        cause: stopCauseSchema.optional(),
        concerns: z.array(z.string()),
      })
      .optional(),
    startedAt: epochMs,
    dossier: dossierSchema.optional(),
    missing: z.array(z.string()).optional().openapi({ description: 'what still keeps the dossier open (必清)' }),
    waitingFor: z.string().optional(),
    candidacy: z
      .object({
        status: z.enum(CANDIDACY_STATUSES),
        reason: z.string().optional(),
        cause: stopCauseSchema.optional(),
      })
      .optional()
      .openapi({
        description:
          "where the cycle has this person, beside the inspection's own `status`: `candidate` (passed, no nominee: " +
          'before the vote, a reserve, or not chosen), `withdrawn` (passed, then withdrawn on a substantiated report), ' +
          "`stopped` (in inspection), `nominee` (published) and the nominee's later states; `reason` and `cause` for " +
          'a withdrawal, stop, drop or rejection. Absent for a moment after the candidate opens.',
      }),
  })
  .openapi('CandidateState');

/** The sealed personal-matters record, opened: for the organization department only. */
export const personalMattersRecordSchema = z.object({
  outcome: z.enum(['consistent', 'omission', 'concealment']),
  consequence: z.string().openapi({ example: '批评教育 (criticism and education); candidacy continues' }),
  checkedBy: z.string(),
  checkedAt: instant,
  items: z.array(
    z.object({
      item: personalMatterItem,
      declared: z.union([z.string(), z.number(), z.boolean()]),
      verified: z.union([z.string(), z.number(), z.boolean()]),
      deliberate: z.boolean(),
      description: z.string().optional(),
    }),
  ),
  discrepancies: z.array(discrepancySchema),
});

export const reviewTaskSchema = z.object({
  cycleId: z.string(),
  personId: z.string(),
  candidateName: z.string(),
  positionId: z.string(),
  department: z.enum(DEPARTMENTS),
  jurisdictionId: z.string(),
  jurisdictionName: z.string(),
  status: reviewStateSchema.shape.status,
  openedAt: instant,
  chaseAt: instant.nullable(),
  deadline: instant.nullable(),
  chasedAt: instant.nullable(),
  escalatedAt: instant.nullable(),
  verdict: z.enum(I.VERDICTS).nullable(),
  answeredAt: instant.nullable(),
  overdue: z.boolean().openapi({ description: `unanswered past its deadline. ${WORKING_DAYS_RULE}` }),
});
export const reviewInboxSchema = z.object({
  tasks: z.array(reviewTaskSchema),
  next: z.string().nullable().openapi({ description: 'pass as `after` for the next page; null on the last page' }),
});

export type ReviewTask = z.infer<typeof reviewTaskSchema>;
export type PersonalMattersRecord = z.infer<typeof personalMattersRecordSchema>;
