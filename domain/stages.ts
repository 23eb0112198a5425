/** The stages of a cycle, in order (docs/domain.md "A cycle and its stages"). jointReview runs inside inspection. */
export const STAGES = [
  'launch',
  'analysis',
  'recommendation',
  'inspection',
  'decision',
  'publicity',
  'approval',
  'election',
  'closed',
] as const;
export type Stage = (typeof STAGES)[number];

/** The seven key stages (Guangxi) that risks and supervision refer to. */
export const KEY_STAGES = [
  'analysis',
  'recommendation',
  'inspection',
  'decision',
  'publicity',
  'approval',
  'election',
] as const;
export type KeyStage = (typeof KEY_STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  launch: '启动',
  analysis: '分析研判和动议',
  recommendation: '民主推荐',
  inspection: '考察',
  decision: '讨论决定',
  publicity: '任职公示',
  approval: '审查审批',
  election: '大会选举',
  closed: '完成',
};

export const CYCLE_STATUSES = ['running', 'suspended', 'closed', 'aborted'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export const JURISDICTION_LEVELS = ['province', 'city', 'county', 'township', 'village'] as const;
export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];

export function nextStage(stage: Stage): Stage {
  const i = STAGES.indexOf(stage);
  return STAGES[Math.min(i + 1, STAGES.length - 1)]!;
}
