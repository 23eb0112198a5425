/**
 * Inspection and joint review on the real stack (docs/domain.md "Inspection and joint review"): a late department chased
 * then escalated, an integrity-opinion veto with replacement, an omission that continues, a
 * concealment that stops, department inboxes confined to department and scope, and a Huzhou-sized
 * run of personal-matters checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateWorkflowId } from '../../domain/ids.js';
import { CONCEALMENT_STOP_REASON, OMISSION_CONCERN } from '../../domain/inspection.js';
import { policySchema, type Department } from '../../domain/eager/policy.js';
import { candidateWorkflow } from '../../workflows/candidate.js';
import { recordPersonalMattersUpdate, stopCandidateUpdate } from '../../workflows/contracts/candidate.js';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { serveWithWorkflowService } from './temporal-variant.js';
import * as S from '../scenario.js';
import { apiClient, expectStatus, ok, read, type ApiClient } from './client.js';

let stack: Stack;
let organizer: ApiClient;
const CYCLE_ID = '440307:2026';
const param = { cycleId: CYCLE_ID };
const of = (personId: string) => ({ cycleId: CYCLE_ID, personId });

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = stack.as(await stack.token(['organizer'], '440300', '组织部-考察组'));
});
afterAll(() => stack?.stop());

const cycle = (api = organizer) => api.v1.cycles[':cycleId'];
const candidate = (api = organizer) => cycle(api).candidates[':personId'];
const state = () => ok(cycle().$get({ param }));
const reviewer = async (dept: Department, scope: string) =>
  stack.as(await stack.token([`reviewer:${dept}`], scope, `reviewer-${dept}-${scope}`));
const inbox = async (dept: Department, scope: string, status: 'open' | 'all' = 'open') =>
  (await ok((await reviewer(dept, scope)).v1.reviews.inbox.$get({ query: { status } }))).tasks;

describe("a cycle's inspection with joint review", () => {
  it('chases and escalates a late department, replaces a vetoed and a concealing candidate, keeps an omission', async () => {
    // A working day is a second: chase after 3 s, escalate after 5 s.
    const started = organizer.v1.cycles.$post({
      json: S.startBody('440307', '2026', { calendar: { kind: 'compressed', secondsPerWorkingDay: 1 } }),
    });
    expect((await read(started)).status).toBe(201);
    await read(cycle().launch.$post({ param, json: S.launch, header: {} }));
    await eventually(async () => (await state()).stage === 'analysis');
    await read(cycle().analysis.$post({ param, json: S.analysis, header: {} }));
    await eventually(async () => (await state()).stage === 'recommendation');
    const rounds = cycle()['recommendation-rounds'];
    const firstPromotion = {
      ...S.cadreMeeting,
      tallies: S.cadreMeeting.tallies.map((t) => ({
        ...t,
        persons: t.persons.map((p) => (p.personId === 'd1' ? { ...p, firstPromotion: true } : p)),
      })),
    };
    await read(rounds.$post({ param, json: firstPromotion, header: {} }));
    await read(rounds.$post({ param, json: S.fullCommittee, header: {} }));
    await eventually(async () => (await state()).stage === 'inspection');

    // d1: audit stays silent; everything else about d1 is done. d1 is a first promotion: home visit required.
    const d1Checklist = await read(
      candidate().inspection.$post({ param: of('d1'), json: { ...S.fullChecklist, homeVisit: undefined }, header: {} }),
    );
    expectStatus(d1Checklist, 200);
    expect(d1Checklist.body.missing).toContain('家访 (homeVisit): required for a first promotion');
    const d1 = await inspectViaApi(stack, CYCLE_ID, 'd1', { skip: ['audit'], close: false });
    expect(d1.missing).toEqual(['联审 审计 (audit) verdict']);
    const refused = await read(candidate().dossier.$post({ param: of('d1'), json: { result: 'passed' }, header: {} }));
    expectStatus(refused, 422);
    expect(refused.body.error.details).toEqual([{ path: 'dossier', rule: '联审 审计 (audit) verdict' }]);

    // s2: the discipline commission's integrity opinion vetoes alone; s4 (next-ranked) replaces s2.
    const s2 = await inspectViaApi(stack, CYCLE_ID, 's2', {
      verdicts: { discipline: { verdict: 'disqualifying', reason: '廉政审核未通过：存在违规收受礼金问题' } },
    });
    expect(s2.status).toBe('stopped');
    expect(s2.outcome?.reason).toMatch(/纪委监委 \(discipline\) disqualifying/);
    // d2: an omission — criticism and education, continues, flagged for the decision stage.
    const d2 = await inspectViaApi(stack, CYCLE_ID, 'd2', { matters: S.omissionMatters });
    expect(d2.status).toBe('passed');
    expect(d2.outcome?.concerns).toContain(OMISSION_CONCERN);
    // d3: a concealment — admonishment, stopped at once, before any department answers.
    const d3 = await inspectViaApi(stack, CYCLE_ID, 'd3', { matters: S.concealmentMatters });
    expect(d3.status).toBe('stopped');
    expect(d3.outcome).toMatchObject({
      cause: 'violation',
      reason: CONCEALMENT_STOP_REASON,
    });

    for (const p of ['s1', 's3', 'd4', 'd5', 'd6'])
      expect((await inspectViaApi(stack, CYCLE_ID, p)).status, p).toBe('passed');
    await eventually(
      async () => (await state()).candidates.filter((c) => c.opened && ['s4', 'd7'].includes(c.personId)).length === 2,
    );
    for (const p of ['s4', 'd7']) expect((await inspectViaApi(stack, CYCLE_ID, p)).status, p).toBe('passed');

    // The audit department is chased at 3 working days, then escalated at 5 — in its inbox and on the cycle.
    const chased = await eventually(
      async () => (await inbox('audit', '440307')).find((t) => t.personId === 'd1' && t.chasedAt),
      10_000,
    );
    expect(chased).toMatchObject({ department: 'audit', cycleId: CYCLE_ID, candidateName: '陈静' });
    const escalated = await eventually(
      async () => (await inbox('audit', '440307')).find((t) => t.personId === 'd1' && t.status === 'escalated'),
      10_000,
    );
    expect(escalated.overdue).toBe(true);
    // Chased at the chase point (3 working days), escalated at the deadline (5), in that order:
    // never before its due time (later is only the machine being busy, so no upper bound).
    const at = (instant: string | null) => Date.parse(instant ?? '');
    expect(at(escalated.deadline) - at(escalated.chaseAt)).toBe(2000);
    expect(at(escalated.chasedAt)).toBeGreaterThanOrEqual(at(escalated.chaseAt));
    expect(at(escalated.escalatedAt)).toBeGreaterThanOrEqual(at(escalated.deadline));
    expect(at(escalated.escalatedAt)).toBeGreaterThan(at(escalated.chasedAt));
    const onCycle = await eventually(async () => {
      const s = await state();
      return s.candidates.find((c) => c.personId === 'd1')?.lateReviews?.length === 2 && s;
    });
    expect(
      onCycle.candidates.find((c) => c.personId === 'd1')?.lateReviews?.map((l) => [l.kind, l.departments]),
    ).toEqual([
      ['chased', ['audit']],
      ['escalated', ['audit']],
    ]);
    expect(onCycle.stage).toBe('inspection');
    // Shown from the departments' tasks on the record: the cycle's workflow is not told (no signal, no task).
    const cycleHistory = await stack.client.workflow.getHandle(`cycle:${CYCLE_ID}`).fetchHistory();
    expect(
      cycleHistory.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reviewsLate'),
    ).toEqual([]);

    // A late verdict is still a verdict; the dossier then closes and the cycle reaches decision.
    const late = await read(
      candidate(await reviewer('audit', '440307')).verdicts.$post({
        param: of('d1'),
        json: S.clear('audit'),
        header: {},
      }),
    );
    expect(late.status).toBe(200);
    const closed = await read(candidate().dossier.$post({ param: of('d1'), json: { result: 'passed' }, header: {} }));
    expectStatus(closed, 200);
    expect(closed.body.status).toBe('passed');
    const decision = await eventually(async () => {
      const s = await state();
      return s.stage === 'decision' && s;
    });
    const byId = Object.fromEntries(decision.candidates.map((c) => [c.personId, c]));
    expect(byId.s2).toMatchObject({ status: 'stopped', cause: 'review' });
    expect(byId.s4).toMatchObject({ status: 'passed', replaces: 's2' });
    expect(byId.d3).toMatchObject({ status: 'stopped', cause: 'violation' });
    expect(byId.d7).toMatchObject({ status: 'passed', replaces: 'd3' });
    expect(byId.d2!.concerns).toContain(OMISSION_CONCERN);
  });

  it("a second verdict, an unknown department and another department's verdict are refused", async () => {
    const verdict = async (api: ApiClient, personId: string, json: ReturnType<typeof S.clear>) =>
      read(candidate(api).verdicts.$post({ param: of(personId), json, header: {} }));
    const audit = await reviewer('audit', '440307');
    const again = await verdict(audit, 'd1', S.clear('audit'));
    expect(again.status).toBe(409); // the dossier is closed: no more input
    const court = await reviewer('court', '440307');
    const notMine = await verdict(court, 's1', S.clear('audit'));
    expect(notMine.status).toBe(403);
    // An unknown department is what the types forbid: sent raw.
    const unknown = await stack.call('POST', `/v1/cycles/${CYCLE_ID}/candidates/s1/verdicts`, {
      token: await stack.token(['reviewer:court'], '440307', 'reviewer-court-440307'),
      body: { department: 'navy', verdict: 'clear', reason: 'x' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('department');
  });

  it('left the record: escalation in the timeline, personal matters sealed, closed tasks out of inboxes', async () => {
    const timeline = (await ok(cycle().timeline.$get({ param }))).events;
    const d1Events = timeline.filter((e) => e.subjectType === 'candidate' && e.subjectId === 'd1').map((e) => e.action);
    expect(d1Events).toEqual(
      expect.arrayContaining([
        'review.opened',
        'review.chased',
        'review.escalated',
        'review.answered',
        'dossier.passed',
      ]),
    );

    const { rows } = await stack.pool.query(
      `SELECT person_id, outcome, consequence, details_sealed FROM personal_matters_checks WHERE cycle_id = $1 ORDER BY person_id`,
      [CYCLE_ID],
    );
    const byPerson = Object.fromEntries(rows.map((r) => [r.person_id, r]));
    expect(byPerson.d2).toMatchObject({ outcome: 'omission', consequence: expect.stringMatching(/批评教育/) });
    expect(byPerson.d3).toMatchObject({ outcome: 'concealment', consequence: expect.stringMatching(/诫勉/) });
    expect(byPerson.d3.details_sealed).toMatch(/^v1:test1:/);
    expect(byPerson.d3.details_sealed).not.toMatch(/realEstate|房产/);

    const opened = await read(candidate()['personal-matters'].$get({ param: of('d3') }));
    expect(opened.body).toMatchObject({
      outcome: 'concealment',
      items: S.concealmentMatters.items,
      discrepancies: [
        {
          item: 'realEstate',
          kind: 'concealment',
          rule: expect.stringMatching(/^at least 2 undeclared units of 房产/),
        },
      ],
    });
    // The organization department reads them on the candidate as well; any other role reads that they are sealed.
    // Stopped, it waits for nothing and lists nothing as missing (found from outside: 22 items "still due").
    const stopped = await ok(candidate().$get({ param: of('d3') }));
    expect(stopped).toMatchObject({ status: 'stopped', waitingFor: '考察结束：已终止' });
    expect(stopped.missing).toBeUndefined();
    expect((await ok(candidate().$get({ param: of('d3') }))).dossier!.personalMatters).toMatchObject({
      outcome: 'concealment',
      discrepancies: [{ item: 'realEstate', kind: 'concealment' }],
    });
    const viewer = stack.as(await stack.token(['viewer'], '440300'));
    // Which matters were omitted or concealed is nowhere a viewer reads: not in the candidates' reasons
    // and concerns, the cycle, or its timeline (found from outside: the stop reason named them).
    const seenByViewer = JSON.stringify([
      await ok(candidate(viewer).$get({ param: of('d2') })),
      await ok(candidate(viewer).$get({ param: of('d3') })),
      await ok(cycle(viewer).$get({ param })),
      await ok(cycle(viewer).timeline.$get({ param })),
    ]);
    expect(seenByViewer).toContain('个人有关事项瞒报');
    expect(seenByViewer.match(/.{0,160}(房产|realEstate|undeclared units of).{0,60}/)?.[0]).toBeUndefined();
    expect((await read(candidate(viewer)['personal-matters'].$get({ param: of('d3') }))).status).toBe(403);
    expect((await ok(candidate(viewer).$get({ param: of('d3') }))).dossier!.personalMatters).toMatchObject({
      outcome: 'concealment',
      discrepancies: [],
      sealed: true,
    });

    // s2 was stopped with departments still to answer: those tasks left the inboxes as closed.
    const { rows: s2Tasks } = await stack.pool.query(
      `SELECT department, status FROM review_tasks WHERE cycle_id = $1 AND person_id = 's2' ORDER BY department`,
      [CYCLE_ID],
    );
    expect(s2Tasks.filter((t) => t.status === 'answered').map((t) => t.department)).toEqual(['discipline']);
    expect(s2Tasks.filter((t) => t.status !== 'answered').every((t) => t.status === 'closed')).toBe(true);
    // d1's silent department was told when chased, and the supervising level when it ran out of time.
    const { rows: notices } = await stack.pool.query(
      `SELECT recipient, subject FROM notifications WHERE body = $1 ORDER BY created_at`,
      [`cycle ${CYCLE_ID}, candidate d1 — audit`],
    );
    expect(notices).toEqual([
      { recipient: 'reviewer:audit', subject: '联审催办' },
      { recipient: 'supervising-level', subject: '联审逾期，提请上级督办' },
    ]);
  });

  it("an inbox shows only its own department's tasks inside its own scope", async () => {
    const auditHere = await inbox('audit', '440307', 'all');
    expect(auditHere.length).toBeGreaterThanOrEqual(11);
    expect(new Set(auditHere.map((t) => t.department))).toEqual(new Set(['audit']));
    expect(new Set(auditHere.map((t) => t.jurisdictionId))).toEqual(new Set(['440307']));
    const deadlines = auditHere.map((t) => Date.parse(t.deadline!));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect((await inbox('court', '440307', 'all')).every((t) => t.department === 'court')).toBe(true);
    expect((await inbox('audit', '440306', 'all')).some((t) => t.jurisdictionId === '440307')).toBe(false);
  });

  it("pages through a city's inbox by cursor, and narrows it to one cycle", async () => {
    // The city sees its districts' tasks; other files' cycles share the database, so they may lie past any one page.
    const city = (await reviewer('audit', '440300')).v1.reviews.inbox;
    const ofCycle = await ok(city.$get({ query: { status: 'all', cycleId: CYCLE_ID } }));
    expect(ofCycle.tasks.length).toBeGreaterThanOrEqual(11);
    expect(new Set(ofCycle.tasks.map((t) => t.cycleId))).toEqual(new Set([CYCLE_ID]));
    expect(ofCycle.next).toBeNull();

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await ok(city.$get({ query: { status: 'all', limit: '7', ...(after ? { after } : {}) } }));
      seen.push(...page.tasks.map((t) => `${t.deadline ?? '~'} ${t.cycleId} ${t.personId} ${t.department}`));
      after = page.next ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    const deadlines = seen.map((k) => k.split(' ')[0]!); // ISO instants sort as text; '~' (none) after them all
    expect(deadlines).toEqual([...deadlines].sort());
    for (const t of ofCycle.tasks)
      expect(seen).toContain(`${t.deadline ?? '~'} ${t.cycleId} ${t.personId} ${t.department}`);

    // A department whose name has a capital pages on too (found from outside: its own cursor was refused).
    const police = (await reviewer('publicSecurity', '440307')).v1.reviews.inbox;
    const first = await ok(police.$get({ query: { status: 'all', limit: '1' } }));
    expect(first.next).toMatch(/~publicSecurity$/);
    const second = await ok(police.$get({ query: { status: 'all', limit: '1', after: first.next! } }));
    expect(second.tasks).toHaveLength(1);
    expect(second.tasks[0]!.personId).not.toBe(first.tasks[0]!.personId);

    for (const bad of [
      'x',
      '2026-13-45T00:00:00.000Z~440307:2026~d1~audit',
      // Impossible or out-of-range instants the pattern lets through (found from outside: 500).
      '2026-02-30T00:00:00.000Z~440307:2026~d1~audit',
      '0000-01-01T00:00:00.000Z~440307:2026~d1~audit',
      `-~${CYCLE_ID}~d1~nobody`,
      `-~${CYCLE_ID}~d1~audit~more`,
    ]) {
      const res = await read(city.$get({ query: { after: bad } }));
      expect(res.status).toBe(400);
      // The field and its rule, named once (found from outside: the rule came twice for a bad shape).
      expect((res.body as { error: { details: unknown[] } }).error.details, bad).toEqual([
        { path: 'after', rule: "a cursor: the previous page's `next`" },
      ]);
    }
    expect((await read(city.$get({ query: { cycleId: '440307' } }))).status).toBe(400);
  });
});

describe('Huzhou-sized personal-matters verification', () => {
  it('122 candidates with 3 concealments and 12 omissions give exactly those outcomes in Postgres', async () => {
    const cycleId = '440307:2090';
    const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
    const people = Array.from({ length: 122 }, (_, i) => `h${String(i + 1).padStart(3, '0')}`);
    const matters = (i: number) => (i < 3 ? S.concealmentMatters : i < 15 ? S.omissionMatters : S.consistentMatters);
    const inBatches = async <T>(items: T[], size: number, fn: (t: T, i: number) => Promise<unknown>) => {
      for (let i = 0; i < items.length; i += size)
        await Promise.all(items.slice(i, i + size).map((t, j) => fn(t, i + j)));
    };
    await inBatches(people, 20, (personId) =>
      stack.client.workflow.start(candidateWorkflow, {
        workflowId: candidateWorkflowId(cycleId, personId),
        taskQueue: stack.taskQueue,
        args: [{ cycleId, jurisdictionId: '440307', personId, name: `干部${personId}`, positionId: 'deputy', policy }],
      }),
    );
    const actor = { id: '湖州-核查组', role: 'organizer' };
    await inBatches(people, 20, async (personId, i) =>
      stack.client.workflow
        .getHandle(candidateWorkflowId(cycleId, personId))
        .executeUpdate(recordPersonalMattersUpdate, {
          args: [await stack.sealPersonalMatters(cycleId, personId, matters(i)), actor],
        })
        .then(stack.recordCandidateAnswer),
    );

    const { rows } = await stack.pool.query(
      `SELECT outcome, count(*)::int AS n FROM personal_matters_checks WHERE cycle_id = $1 GROUP BY outcome ORDER BY outcome`,
      [cycleId],
    );
    expect(rows).toEqual([
      { outcome: 'concealment', n: 3 },
      { outcome: 'consistent', n: 107 },
      { outcome: 'omission', n: 12 },
    ]);
    const stopped = await Promise.all(
      people.slice(0, 3).map((p) => stack.client.workflow.getHandle(candidateWorkflowId(cycleId, p)).result()),
    );
    expect(stopped.map((o) => o.result)).toEqual(['stopped', 'stopped', 'stopped']);

    await inBatches(people.slice(3), 20, (p) =>
      stack.client.workflow
        .getHandle(candidateWorkflowId(cycleId, p))
        .executeUpdate(stopCandidateUpdate, { args: [{ reason: '测试结束', cause: 'other' }, actor] }),
    );
  });
});

/**
 * A reserve's inspection opens while inputs for it are already coming. Found from outside (12-06): an input
 * sent just before its workflow started was told Temporal knows no such workflow; asked a moment later, the
 * workflow was running, and the input was answered `409 CLOSED`, "candidate d32 is running; it takes no more
 * input" — final by the README, for a candidate just starting (the same key resent was taken).
 */
describe('an input whose candidate workflow starts between its send and the question', () => {
  it('is sent again and taken, not answered 409 closed', async () => {
    const cycleId = '440307:2099';
    const at = { cycleId };
    expect((await read(organizer.v1.cycles.$post({ json: S.startBody('440307', '2099') }))).status).toBe(201);
    await ok(cycle().launch.$post({ param: at, json: S.launch, header: {} }));
    await eventually(async () => (await ok(cycle().$get({ param: at }))).stage === 'analysis');
    await ok(cycle().analysis.$post({ param: at, json: S.analysis, header: {} }));
    await eventually(async () => (await ok(cycle().$get({ param: at }))).stage === 'recommendation');
    await ok(cycle()['recommendation-rounds'].$post({ param: at, json: S.cadreMeeting, header: {} }));
    await ok(cycle()['recommendation-rounds'].$post({ param: at, json: S.fullCommittee, header: {} }));
    const d1 = { cycleId, personId: 'd1' };
    await eventually(async () => (await read(candidate().$get({ param: d1 }))).status === 200);
    // The first send meets no workflow (as before the reserve's start); the question after it finds it running.
    const workflowId = candidateWorkflowId(cycleId, 'd1');
    let missed = 0;
    const variant = await serveWithWorkflowService(stack, 'updateWorkflowExecution', (request, real) => {
      if (request.workflowExecution?.workflowId !== workflowId || missed > 0) return real(request);
      missed++;
      const notFound = Object.assign(new Error('5 NOT_FOUND: workflow not found'), {
        code: 5,
        details: 'workflow not found',
        metadata: { get: () => [] },
      });
      return Promise.reject(notFound);
    });
    try {
      const team = apiClient(variant.url, await stack.token(['organizer'], '440300', '组织部-考察组'));
      const answer = await read(
        team.v1.cycles[':cycleId'].candidates[':personId'].inspection.$post({
          param: d1,
          json: S.fullChecklist,
          header: { 'idempotency-key': 'opening-d1-0001' },
        }),
      );
      expect(missed, 'the first send met no workflow').toBe(1);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    } finally {
      await variant.close();
    }
    const { rows } = await stack.pool.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = $1 AND subject_id = 'd1' AND action = 'inspection.recorded'`,
      [cycleId],
    );
    expect(rows[0].n).toBe(1);
  });
});

/**
 * What a refusal under a key means (README, Idempotency-Key): it applied nothing and is not kept, so the same
 * key and body sent again are checked against the candidate as it then stands. Found from outside (12-06):
 * the README said a 4xx was final for a key, and a dossier refused 422 twice was taken under the same key
 * once its checklist was done. On the cycle of the describe above (440307:2099), whose d2 is inspecting.
 */
describe('a keyed input refused as it stood', () => {
  it('applied nothing, and is taken under the same key once the candidate allows it', async () => {
    const d2 = { cycleId: '440307:2099', personId: 'd2' };
    const close = () =>
      read(
        candidate().dossier.$post({
          param: d2,
          json: { result: 'passed' },
          header: { 'idempotency-key': 'early-close-d2-0001' },
        }),
      );
    const early = await close();
    expect(early.status, JSON.stringify(early.body)).toBe(422);
    expect((await ok(candidate().$get({ param: d2 }))).status).toBe('inspecting');
    await inspectViaApi(stack, d2.cycleId, 'd2', { close: false });
    const later = await close();
    expect(later.status, JSON.stringify(later.body)).toBe(200);
    if (later.status === 200) expect(later.body.status).toBe('passed');
    const again = await close();
    expect(again.status, 'once taken, the key answers as the first time').toBe(200);
    const { rows } = await stack.pool.query(
      `SELECT action FROM audit_events WHERE cycle_id = $1 AND subject_id = 'd2' AND action LIKE 'dossier.%'`,
      [d2.cycleId],
    );
    expect(rows.map((r) => r.action)).toEqual(['dossier.passed']);
  });
});
