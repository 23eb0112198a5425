/**
 * Issue 14 goal 3 for candidates: a candidate's GET answers from Postgres (candidate_states, written
 * with each act), never by asking its workflow. An input's answer is the recorded state that shows
 * it, so a GET right after agrees with it; the API answers a GET with Temporal cut off entirely, for a
 * running and a finished candidate alike, in the same shape as before (no record version in it).
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { candidateWorkflowId } from '../../domain/ids.js';
import { policySchema } from '../../domain/eager/policy.js';
import { candidateStateSchema } from '../../api/schemas/candidates.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient } from '../../temporal/connection.js';
import { candidateWorkflowType, type CandidateWorkflow } from '../../workflows/contracts/candidate.js';
import { eventually, loadSampleTree, startStack, type Stack } from '../helpers.js';
import { cuttableProxy, type CuttableProxy } from '../proxy.js';
import * as S from '../scenario.js';

let stack: Stack;
let organizer: string;
let temporalProxy: CuttableProxy;
let cutClient: Client;
let variant: { url: string; close(): Promise<void> };
const CYCLE_ID = '440307:2093';
const base = (p: string) => `/v1/cycles/${CYCLE_ID}/candidates/${p}`;

beforeAll(async () => {
  stack = await startStack();
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '组织部-考察组');
  // An API whose only way to Temporal is a proxy the test cuts.
  const [host, port] = inject('temporalAddress').split(':');
  temporalProxy = await cuttableProxy({ host: host!, port: Number(port) });
  cutClient = await connectClient({
    address: temporalProxy.address,
    namespace: inject('namespace'),
    codecKeys: parseCodecKeys(inject('codecKeys')),
  });
  variant = await stack.serveVariant({ temporal: cutClient });
  // Candidates inspected on their own (no cycle workflow), on a calendar whose deadlines are far off.
  const policy = policySchema.parse({ calendar: { kind: 'compressed', secondsPerWorkingDay: 3600 } });
  for (const personId of ['r1', 'r2'])
    await stack.client.workflow.start<CandidateWorkflow>(candidateWorkflowType, {
      workflowId: candidateWorkflowId(CYCLE_ID, personId),
      taskQueue: stack.taskQueue,
      args: [
        {
          cycleId: CYCLE_ID,
          jurisdictionId: '440307',
          personId,
          name: `干部${personId}`,
          positionId: 'deputy',
          policy,
        },
      ],
    });
});
afterAll(async () => {
  await variant?.close();
  await temporalProxy?.close();
  await cutClient?.connection.close();
  await stack?.stop();
});

const get = async (personId: string, url?: string) => {
  if (!url) return stack.call('GET', base(personId), { token: organizer });
  const res = await fetch(`${url}${base(personId)}`, { headers: { authorization: `Bearer ${organizer}` } });
  return { status: res.status, body: await res.json() };
};

describe("a candidate's reads", () => {
  it('answer each input with the recorded state that shows it, and a GET right after agrees', async () => {
    await eventually(async () => (await get('r1')).status === 200);
    const recorded = await stack.call('POST', `${base('r1')}/inspection`, { token: organizer, body: S.fullChecklist });
    expect(recorded.status).toBe(200);
    expect(recorded.body.dossier.checks.personnelFile).toEqual({ status: 'clear', note: '已核清' });
    expect(recorded.body).not.toHaveProperty('version');
    expect((await get('r1')).body).toEqual(recorded.body);

    const stopped = await stack.call('POST', `${base('r2')}/stop`, {
      token: organizer,
      body: { reason: '本人申请退出', cause: 'other' },
    });
    expect(stopped.body).toMatchObject({ status: 'stopped', outcome: { result: 'stopped', reason: '本人申请退出' } });
    await stack.client.workflow.getHandle(candidateWorkflowId(CYCLE_ID, 'r2')).result();
    expect((await get('r2')).body).toEqual(stopped.body);
    // The record holds every act: the stop closed r2's unanswered review tasks in the same write.
    const { rows } = await stack.pool.query(
      `SELECT DISTINCT status FROM review_tasks WHERE cycle_id = $1 AND person_id = 'r2'`,
      [CYCLE_ID],
    );
    expect(rows).toEqual([{ status: 'closed' }]);
  });

  it('answer with Temporal unreachable: running and finished candidates alike, in the documented shape', async () => {
    const running = (await get('r1', variant.url)).body;
    await temporalProxy.stop();
    const r1 = await get('r1', variant.url);
    const r2 = await get('r2', variant.url);
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual(running);
    expect(r1.body.status).toBe('inspecting');
    expect(r2).toMatchObject({ status: 200, body: { status: 'stopped' } });
    for (const body of [r1.body, r2.body]) expect(candidateStateSchema.strict().safeParse(body).success).toBe(true);
    // Nobody by that id: 404 from the record too, without asking Temporal.
    expect((await get('nobody', variant.url)).status).toBe(404);
    await temporalProxy.start();
  });

  it('say "opening" (503, Retry-After) for a person the cycle\'s live state lists before the record does', async () => {
    // What round 2 leaves for a moment: the cycle's projection (GET /v1/cycles/{id}) lists the person
    // as inspecting, while round 2's answer — and with it the cycle's and the candidate's record — is
    // still on its way. The outside attack read 404 there, then 409, then 200.
    const cycle = `cycle:${CYCLE_ID}`;
    await stack.pool.query(`INSERT INTO workflow_projections (workflow_id, run_id, seq) VALUES ($1, 'r', 1)`, [cycle]);
    await stack.pool.query(
      `INSERT INTO workflow_state_parts (workflow_id, part, value) VALUES ($1, 'candidates', '1')`,
      [cycle],
    );
    await stack.pool.query(
      `INSERT INTO workflow_state_parts (workflow_id, part, value) VALUES ($1, 'candidates.0', $2)`,
      [cycle, JSON.stringify({ personId: 'opening-1', positionId: 'secretary', status: 'inspecting', opened: false })],
    );
    // A 503 with Retry-After like every NOT_READY: a 409 read as final (found from outside, 12-06).
    const opening = await stack.call('GET', base('opening-1'), { token: organizer });
    expect(opening.status).toBe(503);
    expect(opening.body.error).toMatchObject({
      code: 'NOT_READY',
      details: [{ path: 'record', rule: 'being written' }],
    });
    expect(opening.headers.get('retry-after')).toBe('1');
    const input = await stack.call('POST', `${base('opening-1')}/inspection`, {
      token: organizer,
      body: S.fullChecklist,
    });
    expect(input.status).toBe(503);
    expect(input.body.error).toMatchObject({ code: 'NOT_READY' });
    expect(input.headers.get('retry-after')).toBe('1');
    // Nobody the cycle names is still absent.
    expect((await get('nobody')).status).toBe(404);
  });
});
