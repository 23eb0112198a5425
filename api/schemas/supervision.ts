/** What the supervision and risk routes answer. */
import { z } from '@hono/zod-openapi';
import * as V from '../../domain/eager/supervision.js';
import { JURISDICTION_LEVELS, KEY_STAGES, STAGES } from '../../domain/stages.js';
import { WORKING_DAYS_RULE } from '../../domain/beijing.js';
import { countsBy, epochMs, holdAnswerSchema, instant } from './common.js';

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const phase = z.enum(keys(V.PHASES));
const scores = V.monitoringSchema.shape.scores;

export const supervisionStateSchema = z
  .object({
    cycleId: z.string(),
    cycleStage: z.enum(STAGES).openapi({ description: 'the stage the cycle stands at, as its record says' }),
    checkpoints: z.array(
      z.object({
        phase,
        openedAt: epochMs,
        deadline: epochMs.optional(),
        agenda: z.array(z.string()).openapi({ description: 'medium risks this checkpoint must answer' }),
        filedAt: epochMs.optional(),
        filedBy: z.string().optional(),
        overdueAt: epochMs.optional(),
        escalatedAt: epochMs.optional(),
      }),
    ),
    findings: z.array(
      z.object({
        id: z.string(),
        phase,
        severity: z.enum(V.SEVERITIES),
        description: z.string(),
        owner: z.string().optional(),
        deadline: epochMs.optional(),
        status: z.enum(['recorded', 'rectifying', 'accepted']),
        holds: z.string().optional().openapi({ description: 'the hold it keeps on the cycle, until accepted' }),
        raisedIn: z.string().optional().openapi({
          description: 'the scope of the team that filed it: its rectification is accepted from there or above',
        }),
        overdueAt: epochMs.optional(),
        escalatedAt: epochMs.optional(),
      }),
    ),
    monitoring: z
      .record(z.string(), z.object({ points: z.number().int(), averages: scores }))
      .openapi({ description: 'per stage: how many points reported, and the average of each indicator' }),
  })
  .openapi('SupervisionState');

export const monitoringPointSchema = z.object({
  point: z.string(),
  stage: z.enum(STAGES),
  scores,
  submittedBy: z.string(),
  submittedAt: instant,
});
export const monitoringPointsSchema = z.object({ cycleId: z.string(), points: z.array(monitoringPointSchema) });

export const registeredRiskSchema = z.object({
  riskId: z.string(),
  level: z.string(),
  deadline: z
    .string()
    .nullable()
    .describe(`a high risk's deadline (ISO 8601, UTC): deadlineWorkingDays from filing. ${WORKING_DAYS_RULE}`),
  workflow: z.enum(['running', 'pending']).optional(),
  hold: holdAnswerSchema,
  agenda: z
    .object({ phase: phase.optional(), why: z.string().optional() })
    .optional()
    .openapi({
      description:
        "a medium risk's tracking: `phase`, the checkpoint whose agenda it is on (the election's, open and unfiled, " +
        'takes one registered after it opened); or `why` it is on none yet — the next checkpoint to open takes it — ' +
        'or none remains (the last checkpoint filed): then it is resolved by hand',
    }),
});

/** A high risk answers with its workflow's state; a low or medium one with its id and status. */
export const resolvedRiskSchema = z.object({
  riskId: z.string(),
  status: z.enum(['open', 'resolved']),
  hold: z.string().optional(),
  overdueAt: epochMs.optional(),
  escalatedAt: epochMs.optional(),
  resolution: z.string().optional(),
});

export const riskRowSchema = z.object({
  id: z.string(),
  jurisdictionId: z.string(),
  jurisdictionName: z.string(),
  cycleId: z.string().nullable(),
  stage: z.enum(KEY_STAGES),
  category: z.enum(keys(V.RISK_CATEGORIES)),
  level: z.enum(V.SEVERITIES),
  description: z.string(),
  measures: z.array(z.string()),
  owner: z.string(),
  status: z.enum(['open', 'resolved']),
  deadline: instant.nullable(),
  overdueAt: instant.nullable(),
  escalatedAt: instant.nullable(),
  addressedAt: z.string().nullable().openapi({ description: 'the checkpoint that answered a medium risk' }),
  resolution: z.string().nullable(),
  createdAt: instant,
});
export const riskListSchema = z.object({ risks: z.array(riskRowSchema) });

export const riskRegisterSchema = z.object({
  scope: z.string(),
  levels: z.array(z.enum(JURISDICTION_LEVELS)),
  risks: z.number().int(),
  measures: z.number().int(),
  byLevelStatus: countsBy.openapi({ example: { 'high/open': 1, 'low/resolved': 3 } }),
  byCategory: countsBy,
  byJurisdictionLevel: countsBy,
  escalated: z.number().int(),
});

export type MonitoringPoint = z.infer<typeof monitoringPointSchema>;
export type RiskRow = z.infer<typeof riskRowSchema>;
export type RiskRegister = z.infer<typeof riskRegisterSchema>;
