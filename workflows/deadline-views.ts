/**
 * What each workflow kind shows operators about its deadlines (see deadline-attributes.ts): the
 * earliest deadline it waits on, whether it is late, and one line of current details in Chinese.
 * Pure functions of the state, kept here so the workflows call them in one line each. Never a
 * person's name: details and search attributes are not for sensitive data.
 */
import type { CycleState } from '../domain/cycle.js';
import type { Dossier } from '../domain/inspection.js';
import { DEPARTMENT_LABELS } from '../domain/policy.js';
import { PHASES } from '../domain/supervision.js';
import { beijingTime, type DeadlineView } from './deadline-attributes.js';

const earliest = (xs: (number | undefined)[]) =>
  xs.reduce<number | undefined>((m, x) => (x === undefined ? m : m === undefined ? x : Math.min(m, x)), undefined);

/** A cycle's stage deadline (the publicity period; other stages have none in the rules); late when held past it. */
export function cycleDeadlineView(state: Pick<CycleState, 'status' | 'deadline'>): DeadlineView {
  return { deadline: state.status === 'running' ? state.deadline : undefined, done: state.status !== 'running' };
}

/** A candidate's joint review: due at the review deadline while any department is silent; late once one is escalated. */
export function candidateDeadlineView(
  state: { status: string; personId: string; missing?: string[] | undefined },
  dossier: Dossier,
): DeadlineView {
  const silent = dossier.reviews.filter((r) => r.verdict === undefined);
  const late = silent.filter((r) => r.status === 'escalated' || r.status === 'chased');
  const done = state.status !== 'inspecting';
  const status = { inspecting: '考察中', passed: '考察通过', stopped: '已终止考察' }[state.status] ?? state.status;
  const parts = [`**考察对象 ${state.personId}** — ${status}`];
  if (!done) {
    if (silent.length > 0)
      parts.push(
        `待联审意见：${silent.map((r) => DEPARTMENT_LABELS[r.department]).join('、')}` +
          (dossier.deadline !== undefined ? `（期限 ${beijingTime(dossier.deadline)}）` : ''),
      );
    if (late.length > 0)
      parts.push(
        `已催办/逾期：${late.map((r) => `${DEPARTMENT_LABELS[r.department]}${r.status === 'escalated' ? '（已上报）' : '（已催办）'}`).join('、')}`,
      );
    const open = (state.missing?.length ?? 0) - silent.length;
    if (open > 0) parts.push(`另有 ${open} 项考察内容未完成`);
  }
  return {
    deadline: !done && silent.length > 0 ? dossier.deadline : undefined,
    done,
    overdue: silent.some((r) => r.status === 'escalated'),
    details: parts.join(' · '),
  };
}

interface SupervisionLike {
  cycleStage: string;
  checkpoints: { phase: keyof typeof PHASES; deadline?: number; filedAt?: number; overdueAt?: number }[];
  findings: { id: string; deadline?: number; status: string; overdueAt?: number }[];
}

/** Supervision: the earliest unfiled checkpoint or unaccepted rectification; late when any of them is. */
export function supervisionDeadlineView(state: SupervisionLike): DeadlineView {
  const open = state.checkpoints.filter((c) => c.filedAt === undefined);
  const rectifying = state.findings.filter((f) => f.status !== 'accepted' && f.deadline !== undefined);
  const done = state.cycleStage === 'closed';
  const late = [
    ...open.filter((c) => c.overdueAt !== undefined).map((c) => `${PHASES[c.phase]}督查`),
    ...rectifying.filter((f) => f.overdueAt !== undefined).map((f) => `整改 ${f.id}`),
  ];
  const parts = ['**换届风气监督**'];
  if (done) parts.push('换届已结束');
  else {
    parts.push(
      open.length === 0
        ? '无待报送的督查'
        : `待报送：${open.map((c) => `${PHASES[c.phase]}${c.deadline !== undefined ? `（期限 ${beijingTime(c.deadline)}）` : ''}`).join('、')}`,
    );
    if (rectifying.length > 0) parts.push(`整改中 ${rectifying.length} 项`);
    if (late.length > 0) parts.push(`逾期：${late.join('、')}`);
  }
  return {
    deadline: earliest([...open.map((c) => c.deadline), ...rectifying.map((f) => f.deadline)]),
    done,
    overdue: late.length > 0,
    details: parts.join(' · '),
  };
}

/** A high risk under direct supervision: due at the upper level's deadline until resolved. */
export function riskDeadlineView(
  state: { status: string; overdueAt?: number; escalatedAt?: number },
  deadline: number | null,
): DeadlineView {
  const done = state.status === 'resolved';
  const late = state.escalatedAt !== undefined ? '（已逾期并上报）' : state.overdueAt !== undefined ? '（已逾期）' : '';
  return {
    deadline: done || deadline === null ? undefined : deadline,
    done,
    details: done
      ? '**高风险隐患督办** — 已化解'
      : `**高风险隐患督办** — 督办中${deadline !== null ? `，期限 ${beijingTime(deadline)}` : ''}${late}`,
  };
}
