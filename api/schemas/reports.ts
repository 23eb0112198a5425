/** What the report routes answer: the list, one report's record and live state, its timeline, and the ledger. */
import { z } from '@hono/zod-openapi';
import * as R from '../../domain/eager/reports.js';
import { auditDetail, countsBy, epochMs, holdAnswerSchema, instant } from './common.js';

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** Intake is durable either way; 'pending' means the worker's starter will start the workflow shortly. */
export const workflowStatus = z.enum(['running', 'pending']).openapi({
  description:
    "running: the workflow handles it now; pending: recorded, and its workflow is started by the worker's starter as soon as Temporal answers",
});

export const registeredReportSchema = z.object({
  reportId: z.string(),
  workflow: workflowStatus,
  hold: holdAnswerSchema,
});
export const linkedReportSchema = z.object({
  reportId: z.string(),
  duplicateOf: z.string(),
  workflow: workflowStatus,
  hold: holdAnswerSchema,
});

export const reportStateSchema = z
  .object({
    reportId: z.string(),
    status: z.enum(['verifying', 'closed']),
    triage: z.enum(keys(R.TRIAGE)),
    triageRule: z.string(),
    unit: z.string(),
    deadline: epochMs.optional(),
    overdueAt: epochMs.optional(),
    escalatedAt: epochMs.optional(),
    hold: z.string().optional(),
    finding: z.enum(keys(R.FINDINGS)).optional(),
    consequence: z.enum(keys(R.CONSEQUENCES)).optional(),
    effect: z.string().optional(),
    closedAt: epochMs.optional(),
    closedOnTime: z.boolean().optional(),
    waitingFor: z.string(),
  })
  .openapi('ReportState');

/**
 * One report: its row as recorded (column names as stored), its workflow's state while it runs, and —
 * for intake and investigators only — the sealed parts opened.
 */
export const reportRecordSchema = z
  .object({
    id: z.string(),
    channel: z.enum(keys(R.CHANNELS)),
    channel_ref: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "the channel's reference (ties a report to its source): intake and investigators only" }),
    category: z.enum(keys(R.CATEGORIES)),
    target_type: z.enum(['candidate', 'official', 'jurisdiction']),
    target_cycle_id: z.string().nullable(),
    target_person_id: z.string().nullable(),
    jurisdiction_id: z.string(),
    received_at: instant,
    registered_by: z.string(),
    triage: z.enum(keys(R.TRIAGE)).nullable(),
    triage_rule: z.string().nullable(),
    unit: z.string().nullable(),
    deadline: instant.nullable(),
    status: z.enum(['registered', 'verifying', 'closed']),
    overdue_at: instant.nullable(),
    escalated_at: instant.nullable(),
    hold: z.string().nullable(),
    finding: z.enum(keys(R.FINDINGS)).nullable(),
    consequence: z.string().nullable(),
    effect: z.string().nullable(),
    closed_at: instant.nullable(),
    closed_on_time: z.boolean().nullable(),
    duplicates: z.number().int().openapi({ description: 'later intakes linked to this one' }),
    live: reportStateSchema.optional().openapi({
      description:
        "the workflow's state (from intake's own until the workflow's first task runs); absent once it is gone",
    }),
    text: z.string().optional().openapi({ description: 'sensitive: intake and investigators only' }),
    reporter: R.intakeSchema.shape.reporter
      .unwrap()
      .nullable()
      .optional()
      .openapi({ description: 'sensitive: intake and investigators only' }),
    target: z
      .object({ name: z.string() })
      .optional()
      .openapi({ description: "an official's name; sensitive: intake and investigators only" }),
    summary: z.string().nullable().optional().openapi({ description: "the finding's summary; sensitive" }),
  })
  .openapi('ReportRecord');

/**
 * One row of the reports list (举报列表): triage, deadline, overdue and result — never a sealed column
 * (text, reporter, an official's name, the finding's summary), nor the channel's own reference.
 */
export const reportListRowSchema = z
  .object({
    id: z.string(),
    jurisdictionId: z.string(),
    jurisdictionName: z.string(),
    channel: reportRecordSchema.shape.channel,
    category: reportRecordSchema.shape.category,
    targetType: reportRecordSchema.shape.target_type,
    targetCycleId: z.string().nullable(),
    targetPersonId: z.string().nullable(),
    status: reportRecordSchema.shape.status,
    triage: reportRecordSchema.shape.triage,
    unit: z.string().nullable(),
    receivedAt: instant,
    deadline: instant.nullable(),
    overdue: z.boolean().openapi({ description: 'open and past its deadline now' }),
    escalatedAt: instant.nullable(),
    finding: reportRecordSchema.shape.finding,
    consequence: z.string().nullable(),
    closedAt: instant.nullable(),
    closedOnTime: z.boolean().nullable(),
  })
  .openapi('ReportListRow');
export const reportListSchema = z.object({ reports: z.array(reportListRowSchema) });

export const reportEventSchema = z.object({
  id: z.string(),
  at: instant,
  actor: z.string(),
  role: z.string(),
  action: z.string().openapi({ example: 'report.triaged' }),
  detail: auditDetail,
});
export const reportTimelineSchema = z.object({ events: z.array(reportEventSchema) });

export const reportLedgerSchema = z.object({
  scope: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  received: z.number().int(),
  closed: z.number().int(),
  closedOnTime: z.number().int(),
  open: z.number().int(),
  overdueNow: z.number().int(),
  escalated: z.number().int(),
  disciplinary: z.number().int(),
  linkedDuplicates: z.number().int(),
  byFinding: countsBy,
  byChannel: countsBy,
  byCategory: countsBy,
  byTriage: countsBy,
  byConsequence: countsBy,
});

export type ReportRow = Omit<
  z.infer<typeof reportRecordSchema>,
  'live' | 'text' | 'reporter' | 'target' | 'summary'
> & {
  text_sealed: string;
  reporter_sealed: string | null;
  target_sealed: string | null;
  summary: string | null;
  summary_sealed: string | null;
};
export type ReportEvent = z.infer<typeof reportEventSchema>;
export type ReportListRow = z.infer<typeof reportListRowSchema>;
export type ReportLedger = z.infer<typeof reportLedgerSchema>;
