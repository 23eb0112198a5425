/**
 * One realistic cycle's inputs: 宝安区 2026, 区委书记 ×1 and 副区长 ×2, committees of 11 and 31,
 * on a compressed calendar (a working day = 0.2 s, so publicity lasts a second). Each is typed as
 * the input its route takes (`satisfies`), so the typed client sends it as is.
 */
import type { z } from 'zod';
import type * as C from '../domain/eager/cycle.js';
import type { inspectionRecordSchema, personalMattersSchema, verdictSchema } from '../domain/eager/inspection.js';
import type { Department, policySchema } from '../domain/eager/policy.js';
import type { intakeSchema } from '../domain/eager/reports.js';

export const positions = [
  { id: 'secretary', title: '区委书记', seats: 1 },
  { id: 'deputy', title: '副区长', seats: 2 },
] satisfies z.input<typeof C.positionSchema>[];

export const startBody = (
  jurisdictionId = '440306',
  term = '2026',
  policy: z.input<typeof policySchema> = {},
): z.input<typeof C.startCycleSchema> & { policy: z.input<typeof policySchema> } => ({
  jurisdictionId,
  term,
  positions,
  committees: { standing: 11, full: 31 },
  policy: { calendar: { kind: 'compressed', secondsPerWorkingDay: 0.2 }, ...policy },
});

export const launch = {
  responsibilities: [
    { task: '换届风气监督', measure: '签订换届纪律承诺书', deadline: '2026-03-31', owner: '区委组织部' },
  ],
  educationSessions: 12,
  commitmentLetters: 900,
  talks: 64,
} satisfies z.input<typeof C.launchSchema>;
export const analysis = { vacanciesPublishedOn: '2026-04-01', eligibleChecked: 40 } satisfies z.input<
  typeof C.analysisSchema
>;

const NAMES: Record<string, string> = {
  s1: '张伟',
  s2: '王芳',
  s3: '李娜',
  s4: '刘洋',
  d1: '陈静',
  d2: '杨磊',
  d3: '赵敏',
  d4: '黄勇',
  d5: '周杰',
  d6: '吴霞',
  d7: '徐涛',
};
const tally = (votes: Record<string, number>) =>
  Object.entries(votes).map(([personId, v]) => ({ personId, name: NAMES[personId]!, votes: v }));

export const cadreMeeting = {
  round: 'cadreMeeting',
  voters: 100,
  observers: 6,
  tallies: [
    { positionId: 'secretary', persons: tally({ s1: 50, s2: 30, s3: 15, s4: 5 }) },
    { positionId: 'deputy', persons: tally({ d1: 50, d2: 45, d3: 35, d4: 30, d5: 20, d6: 12, d7: 8 }) },
  ],
} satisfies z.input<typeof C.recommendationRoundSchema>;
export const fullCommittee = {
  round: 'fullCommittee',
  voters: 31,
  observers: 0,
  tallies: [
    { positionId: 'secretary', persons: tally({ s1: 15, s2: 9, s3: 5, s4: 2 }) },
    { positionId: 'deputy', persons: tally({ d1: 15, d2: 14, d3: 11, d4: 9, d5: 6, d6: 4, d7: 2 }) },
  ],
} satisfies z.input<typeof C.recommendationRoundSchema>;

export const standing = {
  present: 9,
  shortlist: [
    { positionId: 'secretary', personIds: ['s1', 's2'] },
    { positionId: 'deputy', personIds: ['d1', 'd2', 'd3', 'd4'] },
  ],
} satisfies z.input<typeof C.standingCommitteeSchema>;
export const vote = {
  present: 29,
  votes: [
    { positionId: 'secretary', personId: 's1', inFavor: 25 },
    { positionId: 'secretary', personId: 's2', inFavor: 16 },
    { positionId: 'deputy', personId: 'd1', inFavor: 28 },
    { positionId: 'deputy', personId: 'd2', inFavor: 27 },
    { positionId: 'deputy', personId: 'd3', inFavor: 20 },
    { positionId: 'deputy', personId: 'd4', inFavor: 15 },
  ],
} satisfies z.input<typeof C.committeeVoteSchema>;
export const approval = {
  decision: 'approved',
  authority: '深圳市委组织部',
  rejections: [],
} satisfies z.input<typeof C.approvalSchema>;
export const election = (deputies: string[] = ['d2', 'd3']): z.input<typeof C.electionSchema> => ({
  votersPresent: 300,
  validBallots: 296,
  massPetitions: 0,
  results: [
    { positionId: 'secretary', persons: [{ personId: 's1', votes: 281 }] },
    { positionId: 'deputy', persons: deputies.map((personId, i) => ({ personId, votes: 260 - i * 10 })) },
  ],
});

/** A checklist with nothing missing or unclear (默认 policy minimums), home visit included. */
export const fullChecklist = {
  interviews: {
    superiors: 2,
    subordinates: 5,
    disciplineHead: 1,
    hrHead: 1,
    informedPeople: 3,
    serviceUsers: 3,
    previousPosts: 2,
    candidateAndSpouse: 2,
  },
  homeVisit: { done: true, note: '家访情况正常' },
  reverseEvaluation: { participants: 40, negative: 1, status: 'clear', note: '' },
  checks: Object.fromEntries(
    ['personnelFile', 'personalMattersReport', 'lettersAndPetitions', 'issuesRaised', 'doubtfulPoints'].map((k) => [
      k,
      { status: 'clear' as const, note: '已核清' },
    ]),
  ),
} satisfies z.input<typeof inspectionRecordSchema>;
/** The default policy's critical matters, compared and clear: a check must name every critical matter. */
export const criticalClear = [
  { item: 'spouseAbroad', declared: false, verified: false },
  { item: 'childrenAbroad', declared: false, verified: false },
  { item: 'business', declared: false, verified: false },
] satisfies z.input<typeof personalMattersSchema>['items'];
export const consistentMatters = {
  items: [{ item: 'realEstate', declared: 1, verified: 1 }, ...criticalClear],
} satisfies z.input<typeof personalMattersSchema>;
export const omissionMatters = {
  items: [
    { item: 'realEstate', declared: 1, verified: 2 },
    { item: 'insurance', declared: 2, verified: 2 },
    ...criticalClear,
  ],
} satisfies z.input<typeof personalMattersSchema>;
export const concealmentMatters = {
  items: [{ item: 'realEstate', declared: 1, verified: 4 }, ...criticalClear],
} satisfies z.input<typeof personalMattersSchema>;
export const DEPARTMENTS = [
  'discipline',
  'audit',
  'establishment',
  'court',
  'procuratorate',
  'petitions',
  'publicSecurity',
] as const satisfies readonly Department[];
export const clear = <D extends Department>(department: D) =>
  ({ department, verdict: 'clear', reason: '经查，未发现问题' }) satisfies z.input<typeof verdictSchema>;

/** A phoned-in report of vote buying in a jurisdiction, received now. */
export const phoneReport = (jurisdictionId: string) =>
  ({
    channel: 'phone',
    target: { type: 'jurisdiction', jurisdictionId },
    category: 'voteBuying',
    text: '反映问题',
    receivedAt: new Date().toISOString(),
  }) satisfies z.input<typeof intakeSchema>;

/** A campaign over the townships under `rootId`: one secretary each; `policy` as the template's, if given. */
export const campaignBody = (rootId: string, term: string, policy?: z.input<typeof policySchema>) => ({
  rootId,
  level: 'township' as const,
  term,
  window: 5,
  template: {
    positions: [{ id: 'secretary', title: '党工委书记', seats: 1 }],
    committees: { standing: 5, full: 9 },
    ...(policy ? { policy } : {}),
  },
});
