/**
 * Reports (举报): five channels, a target, a category; triaged into important (置顶办理, same working
 * day), direct check (直接查核件, 5 working days) or supervised case (立项督办件, 10 days); closed by a
 * finding whose effect on a running cycle follows docs/domain.md. Pure.
 */
import { z } from 'zod';
import { addCalendarDays, addWorkingDays, endOfWorkingDay, type CalendarSpec } from './calendar.js';
import { DomainError, ErrorType } from './errors.js';
import { CN_YEARS } from './holidays-cn.js';
import { once } from './once.js';
import type { Policy } from './policy.js';
import {
  chineseNameSchema,
  isVisibleLine,
  jurisdictionIdSchema,
  personIdSchema,
  placeNameRule,
  reasonSchema,
} from './schemas.js';

export const CHANNELS = { letter: '来信', phone: '12380电话', web: '网络', sms: '短信', wechat: '微信' } as const;
export const CATEGORIES = {
  voteBuying: '拉票贿选',
  seekingOffice: '跑官要官',
  intercession: '说情打招呼',
  irregularAppointment: '违规用人',
  gangInterference: '黑恶/家族势力干扰选举',
  nominatedWithIssues: '带病提名',
  personalMattersConcealment: '个人事项瞒报',
  other: '其他',
} as const;
export const TRIAGE = { important: '置顶办理', directCheck: '直接查核件', supervised: '立项督办件' } as const;
export const FINDINGS = {
  substantiated: '属实',
  partly: '部分属实',
  unsubstantiated: '不属实',
  malicious: '恶意举报',
} as const;
export const CONSEQUENCES = {
  reminderTalk: '提醒谈话',
  criticism: '批评教育',
  inquiryLetter: '函询',
  admonishment: '诫勉',
  sanction: '处分',
  disqualification: '取消资格',
} as const;
/** Consequences that count as disciplinary in the ledger (受到处理). */
export const DISCIPLINARY: readonly (keyof typeof CONSEQUENCES)[] = ['sanction'];

export type Channel = keyof typeof CHANNELS;
export type Category = keyof typeof CATEGORIES;
export type Triage = keyof typeof TRIAGE;
export type Finding = keyof typeof FINDINGS;
export type Consequence = keyof typeof CONSEQUENCES;

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

export const targetSchema = once(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('candidate'),
      cycleId: z.string().regex(/^[A-Za-z0-9_-]{1,40}:\d{4}$/, 'a cycle id'),
      personId: personIdSchema(),
    }),
    z.strictObject({
      type: z.literal('official'),
      jurisdictionId: jurisdictionIdSchema(),
      name: chineseNameSchema().refine(isVisibleLine, placeNameRule).describe('kept sealed, never sent to Temporal'),
    }),
    z.strictObject({ type: z.literal('jurisdiction'), jurisdictionId: jurisdictionIdSchema() }),
  ]),
);
export type ReportTarget = z.infer<ReturnType<typeof targetSchema>>;

/**
 * A reference is letters, digits, punctuation, symbols and spaces, nothing else: no format character
 * (zero-width spaces, joiners…), combining mark (a grapheme joiner, a variation selector, Khmer's
 * invisible vowels), private-use or unassigned code point — and none of the letters and symbols that
 * draw nothing (the Hangul fillers, the braille blank). Each made a twin of a reference that looked
 * the same and escaped its link (found from outside).
 */
const REFERENCE_CHARS = /^[\p{L}\p{N}\p{P}\p{S} ]+$/u;
const BLANK_LOOKING = /[\u115f\u1160\u3164\uffa0\u2800]/u;
const isReference = (r: string) => REFERENCE_CHARS.test(r) && !BLANK_LOOKING.test(r);
const REFERENCE_RULE =
  'visible text: letters, digits, punctuation, symbols and spaces; no control, bidirectional-override, combining or invisible characters';

export const intakeSchema = once(() =>
  z.strictObject({
    channel: z.enum(keys(CHANNELS)),
    // A reference is shown on the report's page and links repeats: one line of visible text, in NFKC
    // (full-width digits are the same letter number), so no look-alike escapes the link (found from outside).
    channelRef: z
      .string()
      .trim()
      .normalize('NFKC')
      .min(1)
      .max(120)
      .refine((r) => isVisibleLine(r) && isReference(r), REFERENCE_RULE)
      .optional()
      .describe(
        "the channel's own reference (letter number, call id): a second intake on the same channel with it, about the same jurisdiction, is linked, not doubled; in another jurisdiction it is another report",
      ),
    target: targetSchema(),
    category: z.enum(keys(CATEGORIES)),
    text: z.string().trim().min(1).max(20_000).describe('kept sealed'),
    receivedAt: z.iso
      .datetime({ offset: true })
      .describe(
        "when the desk received it; deadlines count from here. Not in the future (a desk's clock may run up to 5 minutes ahead) and not before 2004-01-01 Beijing time, the first day the working-day calendar covers",
      ),
    reporter: z
      .strictObject({
        name: z.string().trim().max(100).optional(),
        phone: z.string().trim().max(40).optional(),
        email: z.string().trim().max(200).optional(),
        address: z.string().trim().max(500).optional(),
      })
      .optional()
      .describe('the most sensitive datum in the system: stored sealed, shown only to intake and investigators'),
  }),
);
export type IntakeInput = z.infer<ReturnType<typeof intakeSchema>>;

/** How far a desk's clock may run ahead of the server's: a receipt up to this far "in the future" is taken. */
export const RECEIVED_AT_SKEW_MS = 5 * 60_000;
/** The earliest receipt a deadline can be counted from: 00:00 Beijing time on 1 January of the calendar's first year. */
export const EARLIEST_RECEIPT_MS = Date.parse(`${CN_YEARS[0]}-01-01T00:00:00+08:00`);

/**
 * Why a received time cannot be taken, or null. A receipt the working-day calendar cannot count
 * (before its first year, or from the future) would leave the report without a deadline: never
 * overdue, never escalated. Pure: the caller passes the clock.
 */
export function receivedAtProblem(receivedAt: number, now: number): string | null {
  if (receivedAt > now + RECEIVED_AT_SKEW_MS)
    return `not in the future (at most ${RECEIVED_AT_SKEW_MS / 60_000} minutes ahead of the server's clock)`;
  if (receivedAt < EARLIEST_RECEIPT_MS)
    return `not before ${CN_YEARS[0]}-01-01T00:00:00+08:00, the first day the working-day calendar covers`;
  return null;
}

export const triageSchema = once(() =>
  z.strictObject({
    kind: z.enum(keys(TRIAGE)),
    unit: chineseNameSchema().optional(),
    reason: reasonSchema(),
  }),
);
export type TriageInput = z.infer<ReturnType<typeof triageSchema>>;

const findingFields = once(() => ({
  finding: z.enum(keys(FINDINGS)),
  consequence: z.enum(keys(CONSEQUENCES)).optional(),
}));
const consequenceFitsFinding = (
  f: { finding: Finding; consequence?: Consequence | undefined },
  ctx: z.RefinementCtx,
) => {
  const proven = f.finding === 'substantiated' || f.finding === 'partly';
  if (proven && !f.consequence)
    ctx.addIssue({
      code: 'custom',
      path: ['consequence'],
      message: 'a substantiated or partly substantiated report needs a consequence for the target',
    });
  if (!proven && f.consequence)
    ctx.addIssue({
      code: 'custom',
      path: ['consequence'],
      message: `a ${f.finding} report has no consequence for the target`,
    });
};

/** The finding as the investigator posts it. */
export const findingSchema = once(() =>
  z.strictObject({ ...findingFields(), summary: reasonSchema() }).superRefine(consequenceFitsFinding),
);
export type FindingInput = z.infer<ReturnType<typeof findingSchema>>;

/**
 * The finding as the report workflow is told it: the summary (which can name the reporter or the
 * official) is sealed in Postgres first and travels only as the id of the sealed row.
 */
export const findingMessageSchema = once(() =>
  z
    .strictObject({ ...findingFields(), summaryRef: z.string().regex(/^S-[0-9a-f-]{36}$/, 'an id of sealed details') })
    .superRefine(consequenceFitsFinding),
);
export type FindingMessage = z.infer<ReturnType<typeof findingMessageSchema>>;

/**
 * Triage by rule: reports on a candidate or nominee of a running cycle, and vote buying or gang
 * interference with an election, are important (handled at once); irregular appointments and
 * nominations despite known issues are supervised cases; the rest are direct checks.
 */
export function autoTriage(target: ReportTarget, category: Category): { kind: Triage; rule: string } {
  if (target.type === 'candidate')
    return { kind: 'important', rule: 'target is a candidate or nominee of a running cycle (置顶办理)' };
  if (category === 'voteBuying' || category === 'gangInterference')
    return { kind: 'important', rule: `${CATEGORIES[category]} interferes with an election` };
  if (category === 'irregularAppointment' || category === 'nominatedWithIssues')
    return { kind: 'supervised', rule: `${CATEGORIES[category]} is a supervised case (立项督办)` };
  return { kind: 'directCheck', rule: 'default: direct check (直接查核)' };
}

/** When the result is due: same working day, N working days, or N calendar days, from receipt. */
export function reportDeadline(
  kind: Triage,
  receivedAt: number,
  policy: Pick<Policy, 'reportDeadlines'> & { calendar: CalendarSpec },
): number {
  const d = policy.reportDeadlines;
  if (kind === 'important') {
    return d.importantWorkingDays === 0
      ? endOfWorkingDay(policy.calendar, receivedAt)
      : addWorkingDays(policy.calendar, receivedAt, d.importantWorkingDays);
  }
  if (kind === 'directCheck') return addWorkingDays(policy.calendar, receivedAt, d.directCheckWorkingDays);
  return addCalendarDays(policy.calendar, receivedAt, d.supervisedCalendarDays);
}

/** What a finding does to a candidacy in a running cycle. */
export function effectOf(f: { finding: Finding }): 'stop' | 'clear' | 'clarify' | 'refer' {
  if (f.finding === 'substantiated' || f.finding === 'partly') return 'stop';
  if (f.finding === 'unsubstantiated') return 'clarify';
  return 'refer';
}

export function checkOpenReport(status: string) {
  if (status === 'closed') throw new DomainError(ErrorType.Closed, 'the report is closed');
}
