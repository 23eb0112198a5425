/**
 * What the cycle routes answer: the live state of a cycle (the workflow's `CycleState`), the rows
 * of the cycle list, and the timeline from the record.
 */
import { z } from '@hono/zod-openapi';
import * as C from '../../domain/eager/cycle.js';
import { policySchema } from '../../domain/eager/policy.js';
import { jurisdictionSchema } from '../../domain/eager/schemas.js';
import { CYCLE_STATUSES, JURISDICTION_LEVELS, STAGES } from '../../domain/stages.js';
import { WORKING_DAYS_RULE } from '../../domain/beijing.js';
import { auditDetail, epochMs, instant } from './common.js';

const recorded = { recordedAt: epochMs };
export const stopCauseSchema = z.enum(['report', 'review', 'violation', 'other']);

export const candidateEntrySchema = z.object({
  personId: z.string(),
  name: z.string(),
  positionId: z.string(),
  rank: z.number().int(),
  votes: z.number().int(),
  status: z.enum(['inspecting', 'passed', 'stopped']),
  reason: z.string().optional(),
  cause: stopCauseSchema.optional(),
  concerns: z.array(z.string()),
  replaces: z.string().optional().openapi({ description: 'entered inspection in place of this stopped candidate' }),
  opened: z.boolean().optional().openapi({ description: "set once the candidate's own workflow runs" }),
  firstPromotion: z.boolean().optional(),
  lateReviews: z
    .array(z.object({ departments: z.array(z.string()), kind: z.enum(['chased', 'escalated']), at: epochMs }))
    .optional(),
});

export const nomineeSchema = z.object({
  personId: z.string(),
  name: z.string(),
  positionId: z.string(),
  inFavor: z.number().int(),
  status: z.enum(['published', 'dropped', 'approved', 'rejected', 'elected', 'notElected']),
  publishedAt: epochMs.optional(),
  publicityEndsAt: epochMs.optional(),
  reason: z.string().optional(),
  cause: stopCauseSchema.optional(),
  votes: z.number().int().optional(),
});

const belowRatioSchema = z.object({
  stage: z.enum(['recommendation', 'decision']),
  positionId: z.string(),
  list: z.enum([...C.ROUNDS, 'inspection', 'shortlist']),
  ratio: z.string(),
  required: z.number().int(),
  given: z.number().int(),
  reason: z.string(),
  recordedAt: epochMs,
});

const shortlistRulingSchema = z.object({
  positionId: z.string(),
  seats: z.number().int(),
  kind: z.enum(['competitive', 'uncontested']),
  label: z.enum(['差额', '等额']),
  ratio: z.string(),
  required: z.number().int(),
  given: z.number().int(),
  belowRatioReason: z.string().optional(),
});

const positionResultSchema = z.object({
  positionId: z.string(),
  title: z.string(),
  seats: z.number().int(),
  elected: z.array(z.object({ personId: z.string(), name: z.string(), votes: z.number().int() })),
  unfilled: z.number().int(),
  reason: z.string().optional(),
});

const roundRecord = C.recommendationRoundSchema.omit({ round: true }).extend(recorded);

export const cycleStateSchema = z
  .object({
    cycleId: z.string(),
    jurisdiction: jurisdictionSchema,
    term: z.string(),
    positions: z.array(C.positionSchema),
    committees: z.object({ standing: z.number().int(), full: z.number().int() }),
    policy: policySchema,
    status: z.enum(CYCLE_STATUSES),
    stage: z.enum(STAGES),
    startedAt: epochMs,
    stageEnteredAt: epochMs,
    stageDone: z.boolean().openapi({ description: "the stage's own input is complete; it waits for its gate" }),
    statusReason: z.string().optional(),
    suspendedIn: z.string().optional().openapi({
      description: 'while suspended: the jurisdiction that suspended it; it is resumed or aborted from there or above',
    }),
    holds: z.array(
      C.holdSchema.extend({
        raisedAt: epochMs,
        raisedBy: z.string(),
        raisedIn: z
          .string()
          .optional()
          .openapi({ description: 'the scope it was raised from (by hand): released from there or above' }),
        raisedAs: z.array(z.string()).optional().openapi({
          description: "the raiser's roles (by hand): released by a caller with each of its hand-hold roles",
        }),
      }),
    ),
    launch: C.launchSchema.extend(recorded).optional(),
    analysis: C.analysisSchema.extend(recorded).optional(),
    recommendation: z.object({
      rounds: z.object({ cadreMeeting: roundRecord.optional(), fullCommittee: roundRecord.optional() }),
      ranking: z.record(
        z.string(),
        z.array(z.object({ personId: z.string(), name: z.string(), votes: z.number().int(), rank: z.number().int() })),
      ),
      tieAtCut: z.array(z.string()),
      firstPromotion: z.array(z.string()).optional(),
    }),
    candidates: z.array(candidateEntrySchema),
    shortfalls: z.array(z.object({ positionId: z.string(), missing: z.number().int(), reason: z.string().optional() })),
    decision: z.object({
      standing: C.standingCommitteeSchema.extend(recorded).optional(),
      shortlists: z.array(shortlistRulingSchema).optional(),
      vote: C.committeeVoteSchema.extend(recorded).optional(),
    }),
    belowRatio: z.array(belowRatioSchema).optional(),
    nominees: z.array(nomineeSchema),
    reserves: z.record(z.string(), z.array(z.string())),
    approval: C.approvalSchema.extend(recorded).optional(),
    election: C.electionSchema.omit({ results: true }).extend(recorded).optional(),
    results: z.array(positionResultSchema),
    outcome: z
      .object({
        effectiveComplaints: z.number().int(),
        cadreViolations: z.number().int(),
        massPetitions: z.number().int(),
      })
      .optional(),
    waitingFor: z.string().openapi({ description: 'one line: what the cycle waits for and why' }),
    deadline: epochMs.optional(),
    version: z.number().int(),
  })
  .openapi('CycleState', {
    description: `the whole live state of a cycle (stage, status, holds, candidates, nominees, results, waitingFor: what it waits for and why, dates in Beijing time). \`deadline\` and each nominee's \`publicityEndsAt\` are epoch milliseconds; absent when there is none (no nominee to publish). ${WORKING_DAYS_RULE}`,
  });

export const startedCycleSchema = z.object({ cycleId: z.string(), workflowId: z.string(), state: cycleStateSchema });

export const cycleListItemSchema = z.object({
  id: z.string(),
  jurisdictionId: z.string(),
  jurisdictionName: z.string(),
  term: z.string(),
  level: z.enum(JURISDICTION_LEVELS),
  stage: z.enum(STAGES),
  status: z.enum(CYCLE_STATUSES),
  waitingFor: z.string(),
  deadline: instant.nullable(),
  startedAt: instant,
  updatedAt: instant,
  closedAt: instant.nullable(),
});
export const cycleListSchema = z.object({
  cycles: z.array(cycleListItemSchema),
  next: z.string().nullable().openapi({ description: 'the cursor of the next page (`after`), null on the last' }),
});

/** While a cycle runs, its row keeps a summary; at its end, the final state. */
const cycleSummarySchema = z.object({
  jurisdictionName: z.string(),
  positions: z.array(C.positionSchema),
  holds: z.array(z.string()),
  candidates: z.number().int(),
  nominees: z.number().int(),
  shortfalls: cycleStateSchema.shape.shortfalls,
});

export const cycleRecordSchema = z.object({
  id: z.string(),
  jurisdictionId: z.string(),
  term: z.string(),
  level: z.enum(JURISDICTION_LEVELS),
  stage: z.enum(STAGES),
  status: z.enum(CYCLE_STATUSES),
  waitingFor: z.string(),
  deadline: instant.nullable(),
  version: z.number().int(),
  state: z.union([cycleStateSchema, cycleSummarySchema]).openapi({
    description: 'a summary while the cycle runs; its final state once closed or aborted',
  }),
  results: z.array(positionResultSchema).nullable(),
  outcome: cycleStateSchema.shape.outcome.unwrap().nullable(),
  startedAt: instant,
  updatedAt: instant,
  closedAt: instant.nullable(),
});

export const personRowSchema = z.object({
  personId: z.string(),
  name: z.string(),
  positionId: z.string(),
  candidateStatus: candidateEntrySchema.shape.status.nullable(),
  nomineeStatus: nomineeSchema.shape.status.nullable(),
  detail: z.record(z.string(), z.unknown()).openapi({ description: 'the candidate or nominee entry as last recorded' }),
});

export const cycleEventSchema = z.object({
  id: z.string().openapi({ description: "the row's place on the audit chain" }),
  at: instant,
  actor: z.string(),
  role: z.string(),
  requestId: z.string().nullable(),
  subjectType: z.string(),
  subjectId: z.string(),
  action: z.string().openapi({ example: 'recommendation.round' }),
  before: auditDetail,
  after: auditDetail,
  detail: auditDetail,
});

export const cycleTimelineSchema = z.object({
  cycle: cycleRecordSchema,
  people: z.array(personRowSchema),
  events: z.array(cycleEventSchema),
});

export type CycleListItem = z.infer<typeof cycleListItemSchema>;
export type CycleRecord = z.infer<typeof cycleRecordSchema>;
export type CycleEvent = z.infer<typeof cycleEventSchema>;
