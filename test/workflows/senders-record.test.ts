/**
 * Acts answered for their senders to record (patch `senders-record-acts`; contracts/candidate.ts
 * ActForRecord, contracts/cycle.ts CycleActForRecord). An input that does not end an inspection is
 * answered at once with its act; the sender — the API, a gateway activity — writes it. A sender that
 * dies before writing loses nothing: the workflow's next own record writes every act it handed out,
 * and a sender that did write is not doubled by that.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCandidateActivities, type CandidateLaunch } from '../../activities/candidates.js';
import { candidateWorkflowId } from '../../domain/ids.js';
import { policySchema } from '../../domain/eager/policy.js';
import { candidateWorkflow } from '../../workflows/candidate.js';
import {
  OPEN_INSPECTION_UPDATE_ID,
  completeDossierUpdate,
  openInspectionUpdate,
  recordInspectionUpdate,
  recordPersonalMattersUpdate,
  stopCandidateUpdate,
  submitVerdictUpdate,
} from '../../workflows/contracts/candidate.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

const team = { id: '考察组', role: 'organizer' };

async function startCandidate(cycleId: string, personId: string) {
  const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
  const handle = await stack.client.workflow.start(candidateWorkflow, {
    workflowId: candidateWorkflowId(cycleId, personId),
    taskQueue: stack.taskQueue,
    args: [{ cycleId, jurisdictionId: '440306', personId, name: `干部${personId}`, positionId: 'deputy', policy }],
  });
  return handle;
}

const auditOf = async (cycleId: string, personId: string) =>
  (
    await stack.pool.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_events
       WHERE cycle_id = $1 AND subject_type = 'candidate' AND subject_id = $2 GROUP BY action ORDER BY action`,
      [cycleId, personId],
    )
  ).rows;

describe('a candidate’s inspection inputs', () => {
  it('are answered with the act for the sender; acts no sender wrote are recorded by the workflow itself, once', async () => {
    const cycleId = '440306:2301';
    const h = await startCandidate(cycleId, 'p1');
    const inspected = await h.executeUpdate(recordInspectionUpdate, { args: [S.fullChecklist, team] });
    expect(inspected.forRecord?.map((a) => a.events.map((e) => e.action))).toEqual([['inspection.recorded']]);
    // This sender writes its act; the personal matters' and the verdicts' senders "die" before writing.
    await stack.recordCandidateAnswer(inspected);
    const sealed = await stack.sealPersonalMatters(cycleId, 'p1', S.consistentMatters);
    const checked = await h.executeUpdate(recordPersonalMattersUpdate, { args: [sealed, team] });
    expect(checked.forRecord?.at(-1)?.personalMatters?.result.outcome).toBe('consistent');
    for (const d of S.DEPARTMENTS) {
      const answered = await h.executeUpdate(submitVerdictUpdate, { args: [S.clear(d), { id: d, role: 'reviewer' }] });
      expect(answered.forRecord?.at(-1)?.verdict?.department).toBe(d);
    }

    // The act that ends the inspection is recorded by the workflow itself, with every act before it.
    const closed = await h.executeUpdate(completeDossierUpdate, { args: [{ result: 'passed' }, team] });
    expect(closed.forRecord).toBeUndefined();
    await h.result();
    expect(await auditOf(cycleId, 'p1')).toEqual([
      { action: 'dossier.passed', n: 1 },
      { action: 'inspection.recorded', n: 1 },
      { action: 'inspection.started', n: 1 },
      { action: 'personalMatters.checked', n: 1 },
      { action: 'review.answered', n: S.DEPARTMENTS.length },
      { action: 'review.opened', n: 1 },
    ]);
    const tasks = await stack.pool.query(
      `SELECT count(*)::int AS n FROM review_tasks WHERE cycle_id = $1 AND person_id = 'p1' AND verdict = 'clear'`,
      [cycleId],
    );
    expect(tasks.rows[0].n).toBe(S.DEPARTMENTS.length);
    const pm = await stack.pool.query(
      `SELECT outcome FROM personal_matters_checks WHERE cycle_id = $1 AND person_id = 'p1'`,
      [cycleId],
    );
    expect(pm.rows).toEqual([{ outcome: 'consistent' }]);
    const state = await eventually(async () => {
      const { rows } = await stack.pool.query(
        `SELECT status FROM candidate_states WHERE cycle_id = $1 AND person_id = 'p1'`,
        [cycleId],
      );
      return rows[0]?.status === 'passed' && rows[0];
    });
    expect(state).toEqual({ status: 'passed' });
  });

  it('go with every later answer until the workflow records them: one 200 means all before it are on the record', async () => {
    const cycleId = '440306:2303';
    const h = await startCandidate(cycleId, 'p3');
    const reviewer = (d: string) => ({ id: d, role: 'reviewer' });
    // The first verdict's sender dies; the second's writes what its answer carries.
    await h.executeUpdate(submitVerdictUpdate, { args: [S.clear('audit'), reviewer('audit')] });
    const second = await h.executeUpdate(submitVerdictUpdate, { args: [S.clear('court'), reviewer('court')] });
    expect(second.forRecord?.map((a) => a.verdict?.department)).toEqual(['audit', 'court']);
    await stack.recordCandidateAnswer(second);
    const answered = await stack.pool.query(
      `SELECT department FROM review_tasks WHERE cycle_id = $1 AND person_id = 'p3' AND verdict = 'clear' ORDER BY department`,
      [cycleId],
    );
    expect(answered.rows.map((r) => r.department)).toEqual(['audit', 'court']);
    const audit = await auditOf(cycleId, 'p3');
    expect(audit.find((r) => r.action === 'review.answered')).toEqual({ action: 'review.answered', n: 2 });
  });

  it('are recorded by the workflow itself after a quiet spell, when every sender died and nothing followed', async () => {
    const cycleId = '440306:2304';
    const h = await startCandidate(cycleId, 'p4');
    await h.executeUpdate(submitVerdictUpdate, { args: [S.clear('audit'), { id: '审计', role: 'reviewer' }] });
    // Nothing else happens to this candidate: its own backstop (a minute after the answer) records it.
    const recorded = await eventually(async () => {
      const rows = await auditOf(cycleId, 'p4');
      return rows.some((r) => r.action === 'review.answered') && rows;
    }, 120_000);
    expect(recorded).toContainEqual({ action: 'review.answered', n: 1 });
    const task = await stack.pool.query(
      `SELECT verdict FROM review_tasks WHERE cycle_id = $1 AND person_id = 'p4' AND department = 'audit'`,
      [cycleId],
    );
    expect(task.rows).toEqual([{ verdict: 'clear' }]);
  }, 150_000);

  it('written by the sender after the workflow recorded it already change nothing', async () => {
    const cycleId = '440306:2302';
    const h = await startCandidate(cycleId, 'p2');
    const late = await h.executeUpdate(submitVerdictUpdate, {
      args: [S.clear('audit'), { id: '审计', role: 'reviewer' }],
    });
    await h.executeUpdate(recordInspectionUpdate, { args: [S.fullChecklist, team] }).then(stack.recordCandidateAnswer);
    // A verdict that stops the candidate ends the inspection: its record writes the audit verdict too.
    await h.executeUpdate(submitVerdictUpdate, {
      args: [
        { department: 'discipline', verdict: 'disqualifying', reason: '违纪' },
        { id: '纪委', role: 'reviewer' },
      ],
    });
    await h.result();
    // The audit department's sender comes back late and writes its (older) act.
    await stack.recordCandidateAnswer(late);
    const actions = await auditOf(cycleId, 'p2');
    expect(actions.find((r) => r.action === 'review.answered')).toEqual({ action: 'review.answered', n: 2 });
    const { rows } = await stack.pool.query(
      `SELECT status, state->>'status' AS shown FROM candidate_states WHERE cycle_id = $1 AND person_id = 'p2'`,
      [cycleId],
    );
    expect(rows).toEqual([{ status: 'stopped', shown: 'stopped' }]);
  });
});

describe('a candidate’s start', () => {
  const policy = () => policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
  const launch = (cycleId: string, personIds: string[]): CandidateLaunch => ({
    cycleId,
    jurisdiction: { id: '440306', name: '南山区' },
    term: '2026',
    policy: policy(),
    taskQueue: stack.taskQueue,
    people: personIds.map((personId) => ({ personId, name: `干部${personId}`, positionId: 'deputy' })),
  });
  const startAll = (l: CandidateLaunch) =>
    new MockActivityEnvironment().run(
      (launched: CandidateLaunch) =>
        createCandidateActivities({ client: stack.client, pool: stack.pool }).startCandidateWorkflows(launched),
      l,
    );

  it('is on the record when the activity that starts the candidates returns, and costs the workflow no activity', async () => {
    const cycleId = '440306:2311';
    await startAll(launch(cycleId, ['s1', 's2']));
    // At once, no waiting: a candidate the cycle lists as opened can be read.
    const { rows } = await stack.pool.query(
      `SELECT person_id, status, personal_matters_rules IS NOT NULL AS rules FROM candidate_states
       WHERE cycle_id = $1 ORDER BY person_id`,
      [cycleId],
    );
    expect(rows).toEqual([
      { person_id: 's1', status: 'inspecting', rules: true },
      { person_id: 's2', status: 'inspecting', rules: true },
    ]);
    const tasks = await stack.pool.query(
      `SELECT count(*)::int AS n FROM review_tasks WHERE cycle_id = $1 AND status = 'open' AND deadline IS NOT NULL`,
      [cycleId],
    );
    expect(tasks.rows[0].n).toBe(2 * S.DEPARTMENTS.length);
    const opening = [
      { action: 'inspection.started', n: 1 },
      { action: 'review.opened', n: 1 },
    ];
    expect(await auditOf(cycleId, 's1')).toEqual(opening);
    const h = stack.client.workflow.getHandle(candidateWorkflowId(cycleId, 's1'));
    const history = await h.fetchHistory();
    expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    const runId = (await h.describe()).runId;

    // A retried starter: the same start answered again, nothing doubled, no second run.
    await startAll(launch(cycleId, ['s1', 's2']));
    expect(await auditOf(cycleId, 's1')).toEqual(opening);
    expect((await h.describe()).runId).toBe(runId);

    // ... even once the candidate has finished: it is not started again.
    await h.executeUpdate(stopCandidateUpdate, { args: [{ reason: '本人申请', cause: 'other' }, team] });
    await h.result();
    await startAll(launch(cycleId, ['s1']));
    const after = await h.describe();
    expect({ runId: after.runId, status: after.status.name }).toEqual({ runId, status: 'COMPLETED' });
    expect(await auditOf(cycleId, 's1')).toEqual([
      { action: 'candidate.stopped', n: 1 },
      { action: 'inspection.started', n: 1 },
      { action: 'review.closed', n: 1 },
      { action: 'review.opened', n: 1 },
    ]);
  });

  it('whose starter died before writing it is written by the workflow’s own next record', async () => {
    const cycleId = '440306:2312';
    const l = launch(cycleId, ['s3']);
    const h = await stack.client.workflow.start(candidateWorkflow, {
      workflowId: candidateWorkflowId(cycleId, 's3'),
      taskQueue: stack.taskQueue,
      args: [
        {
          cycleId,
          jurisdictionId: '440306',
          personId: 's3',
          name: '干部s3',
          positionId: 'deputy',
          policy: l.policy,
          starterRecordsStart: true,
        },
      ],
    });
    const answered = await h.executeUpdate(openInspectionUpdate, { updateId: OPEN_INSPECTION_UPDATE_ID });
    expect(answered.forRecord?.map((a) => a.events.map((e) => e.action))).toEqual([
      ['inspection.started', 'review.opened'],
    ]);
    // Not written (the starter "died"): the stop, recorded by the workflow, writes the start first.
    await h.executeUpdate(stopCandidateUpdate, { args: [{ reason: '本人申请', cause: 'other' }, team] });
    await h.result();
    expect(await auditOf(cycleId, 's3')).toEqual([
      { action: 'candidate.stopped', n: 1 },
      { action: 'inspection.started', n: 1 },
      { action: 'review.closed', n: 1 },
      { action: 'review.opened', n: 1 },
    ]);
    const tasks = await stack.pool.query(
      `SELECT count(*)::int AS n FROM review_tasks WHERE cycle_id = $1 AND status = 'closed'`,
      [cycleId],
    );
    expect(tasks.rows[0].n).toBe(S.DEPARTMENTS.length);
  });
});
