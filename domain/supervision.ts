/**
 * Conduct supervision (换届风气监督) and the risk register (风险隐患台账). Pure.
 *
 * A cycle has three supervision checkpoints — at launch, during inspection (同步进驻), during the
 * election (全程督导) — each opened when the cycle reaches that point and due a number of working days
 * later. The team files the five checks (五查) with findings; a finding may open a rectification
 * (整改) with an owner and a deadline; an open high-severity finding holds the cycle's gate. Risks are
 * graded: low is handled below and visible above; medium goes on the next checkpoint's agenda, which
 * must answer it; high is supervised directly from above (督办) and holds its stage.
 */
import { z } from 'zod';
import { DomainError, ErrorType } from './errors.js';
import { once } from './once.js';
import { chineseNameSchema, jurisdictionIdSchema, keyNameSchema, reasonSchema } from './schemas.js';
import { KEY_STAGES } from './stages.js';
import { WORKING_DAYS_RULE } from './beijing.js';

export const PHASES = {
  launch: '启动前后',
  inspection: '考察期间（同步进驻）',
  election: '大会选举（全程督导）',
} as const;
export type Phase = keyof typeof PHASES;
/** The cycle stage at which each checkpoint opens. */
export const PHASE_OPENS_AT = { launch: 'launch', inspection: 'inspection', election: 'election' } as const;

export const WU_CHA = {
  responsibilities: '责任主体履职',
  talksAndMeetings: '谈话和民主生活会（十项任务）',
  educationAndPublicity: '教育和宣传',
  disciplineEnforced: '纪律执行与违纪处理（九个严禁、九个一律）',
  proceduresFollowed: '选人用人程序',
} as const;
export type WuCha = keyof typeof WU_CHA;

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

const wuChaItem = once(() =>
  z.strictObject({
    status: z.enum(['satisfactory', 'deficient']),
    note: z.string().trim().max(2000).default(''),
  }),
);

export const checkpointSchema = once(() =>
  z.strictObject({
    checklist: z
      .strictObject({
        responsibilities: wuChaItem(),
        talksAndMeetings: wuChaItem(),
        educationAndPublicity: wuChaItem(),
        disciplineEnforced: wuChaItem(),
        proceduresFollowed: wuChaItem(),
      })
      .describe('五查: every one of the five'),
    findings: z
      .array(
        z.strictObject({
          severity: z.enum(SEVERITIES),
          description: reasonSchema(),
          rectification: z
            .strictObject({
              owner: chineseNameSchema(),
              deadlineWorkingDays: z.number().int().min(1).max(120).describe(`整改期限. ${WORKING_DAYS_RULE}`),
            })
            .optional(),
        }),
      )
      .max(200)
      .default([]),
    riskResponses: z
      .array(z.strictObject({ riskId: z.string().min(1).max(60), response: reasonSchema() }))
      .max(500)
      .default([])
      .describe("an answer for every medium risk on this checkpoint's agenda"),
  }),
);
export type CheckpointInput = z.infer<ReturnType<typeof checkpointSchema>>;

export const acceptRectificationSchema = once(() =>
  z.strictObject({ findingId: z.string().min(1).max(80), note: reasonSchema() }),
);
export type AcceptRectificationInput = z.infer<ReturnType<typeof acceptRectificationSchema>>;

/** Haimen's 百点监测: four indicators, 0–100. */
export const monitoringSchema = once(() =>
  z.strictObject({
    point: keyNameSchema().describe('the monitoring point, e.g. 海门街道监测点'),
    scores: z.strictObject({
      selection: z.number().min(0).max(100).describe('选人用人工作总体评价'),
      correction: z.number().min(0).max(100).describe('纠正用人不正之风'),
      discipline: z.number().min(0).max(100).describe('换届纪律'),
      conduct: z.number().min(0).max(100).describe('换届风气'),
    }),
  }),
);
export type MonitoringInput = z.infer<ReturnType<typeof monitoringSchema>>;

export const RISK_CATEGORIES = {
  discipline: '违反纪律',
  sabotage: '干扰破坏',
  petitions: '信访矛盾',
  media: '舆论炒作',
  other: '其他',
} as const;
export type RiskCategory = keyof typeof RISK_CATEGORIES;

export const riskSchema = once(() =>
  z.strictObject({
    jurisdictionId: jurisdictionIdSchema(),
    cycleId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}:\d{4}$/, 'a cycle id')
      .optional()
      .describe('the cycle it threatens, if any'),
    stage: z.enum(KEY_STAGES),
    category: z.enum(keys(RISK_CATEGORIES)),
    level: z.enum(SEVERITIES),
    description: reasonSchema(),
    measures: z.array(chineseNameSchema()).min(1).max(50),
    owner: chineseNameSchema(),
    deadlineWorkingDays: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(10)
      .describe(`for a high risk: the upper level's deadline. ${WORKING_DAYS_RULE}`),
  }),
);
export type RiskInput = z.infer<ReturnType<typeof riskSchema>>;
export const resolveRiskSchema = once(() => z.strictObject({ resolution: reasonSchema() }));

export function checkCheckpointFiling(i: CheckpointInput, agenda: string[], filed: boolean, phase: Phase) {
  if (filed) throw new DomainError(ErrorType.Duplicate, `the ${phase} checkpoint is already filed`);
  const answered = new Set(i.riskResponses.map((r) => r.riskId));
  const unanswered = agenda.filter((r) => !answered.has(r));
  if (unanswered.length > 0) {
    throw new DomainError(
      ErrorType.Inconsistent,
      `the checkpoint must address every medium risk on its agenda; unanswered: ${unanswered.join(', ')}`,
      unanswered.map((r) => ({ path: 'riskResponses', rule: `needs ${r}` })),
    );
  }
  const unknown = i.riskResponses.filter((r) => !agenda.includes(r.riskId));
  if (unknown.length > 0)
    throw new DomainError(
      ErrorType.Validation,
      `not on this checkpoint's agenda: ${unknown.map((r) => r.riskId).join(', ')}`,
      [{ path: 'riskResponses', rule: 'agenda risks only' }],
    );
  i.findings.forEach((f, n) => {
    if (f.severity === 'high' && !f.rectification) {
      throw new DomainError(
        ErrorType.Validation,
        'a high-severity finding needs a rectification (owner and deadline)',
        [{ path: `findings.${n}.rectification`, rule: 'required for high severity' }],
      );
    }
  });
}
