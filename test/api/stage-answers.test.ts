/**
 * Issue 11.6: the answer to a stage input reflects every consequence of that input — the stage it
 * moved to, or why it waits — so a client sends the next input straight after a 200, without
 * polling. Only the publicity period, which ends by the clock, is waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, inspectViaApi, loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';

let stack: Stack;
let organizer: string;

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 1_000_000, burst: 100_000 } });
  await loadSampleTree(stack.pool);
  organizer = await stack.token(['organizer'], '440300', '组织部-李明');
});
afterAll(() => stack?.stop());

const send = async (path: string, body: unknown) => {
  const res = await stack.call('POST', path, { token: organizer, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
};

describe('a stage input answers where the cycle now stands', () => {
  it('lets every input follow the previous 200 at once, from launch to the election', async () => {
    const CYCLE = '/v1/cycles/440306:2031';
    expect(
      (await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440306', '2031') })).status,
    ).toBe(201);
    expect(await send(`${CYCLE}/launch`, S.launch)).toMatchObject({ stage: 'analysis' });
    expect(await send(`${CYCLE}/analysis`, S.analysis)).toMatchObject({ stage: 'recommendation' });
    expect(await send(`${CYCLE}/recommendation-rounds`, S.cadreMeeting)).toMatchObject({ stage: 'recommendation' });
    const inspection = await send(`${CYCLE}/recommendation-rounds`, S.fullCommittee);
    expect(inspection.stage).toBe('inspection');
    expect(inspection.candidates.every((c: { opened?: boolean }) => c.opened)).toBe(true);

    const people = inspection.candidates.map((c: { personId: string }) => c.personId) as string[];
    for (const p of people) expect((await inspectViaApi(stack, '440306:2031', p)).status, p).toBe('passed');
    // The last dossier's 200 means the cycle has heard it: the standing committee is taken at once.
    expect(await send(`${CYCLE}/standing-committee`, S.standing)).toMatchObject({ stage: 'decision' });
    const publicity = await send(`${CYCLE}/committee-vote`, S.vote);
    expect(publicity.stage).toBe('publicity');
    expect(publicity.nominees.every((n: { status: string }) => n.status === 'published')).toBe(true);

    // Publicity ends by the clock, not by an input.
    await eventually(async () => (await stack.call('GET', CYCLE, { token: organizer })).body.stage === 'approval');
    expect(await send(`${CYCLE}/approval`, S.approval)).toMatchObject({ stage: 'election' });
    expect(await send(`${CYCLE}/election`, S.election(['d1', 'd2']))).toMatchObject({
      stage: 'closed',
      status: 'closed',
    });
  });

  it('says why it waits when a hold keeps the gate shut, and moves on the moment it is released', async () => {
    const CYCLE = '/v1/cycles/440307:2031';
    expect(
      (await stack.call('POST', '/v1/cycles', { token: organizer, body: S.startBody('440307', '2031') })).status,
    ).toBe(201);
    await send(`${CYCLE}/holds`, { name: 'watch-R7', reason: '高风险隐患待督办' });
    const held = await send(`${CYCLE}/launch`, S.launch);
    expect(held.stage).toBe('launch');
    expect(held.waitingFor).toContain('watch-R7');
    expect(await send(`${CYCLE}/hold-releases`, { name: 'watch-R7', resolution: '已化解' })).toMatchObject({
      stage: 'analysis',
    });
    // A hold on the analysis gate, then a suspension: released, the suspension still keeps it, and says so.
    await send(`${CYCLE}/holds`, { name: 'supervision-F1', reason: '督查发现问题待整改', stage: 'analysis' });
    expect((await send(`${CYCLE}/analysis`, S.analysis)).waitingFor).toContain('supervision-F1');
    await send(`${CYCLE}/suspend`, { reason: '待查清问题' });
    const suspended = await send(`${CYCLE}/hold-releases`, { name: 'supervision-F1', resolution: '已整改' });
    expect(suspended).toMatchObject({ stage: 'analysis', status: 'suspended' });
    expect(suspended.waitingFor).toContain('待查清问题');
    expect(await send(`${CYCLE}/resume`, { reason: '已查清' })).toMatchObject({
      stage: 'recommendation',
      status: 'running',
    });
  });

  it('answers the round that ends the recommendation only once every candidate is open for inspection', async () => {
    // Sixty candidates: starting their workflows takes longer than recording the round itself.
    const CYCLE = '/v1/cycles/440308:2031';
    const people = Array.from({ length: 60 }, (_, i) => `m${i + 1}`);
    const round = (round: string, voters: number) => ({
      round,
      voters,
      observers: 0,
      tallies: [
        {
          positionId: 'member',
          persons: people.map((personId, i) => ({ personId, name: `委员${i}`, votes: 1 + (i % 10) })),
        },
      ],
    });
    const body = {
      ...S.startBody('440308', '2031'),
      positions: [{ id: 'member', title: '委员', seats: 20 }],
    };
    expect((await stack.call('POST', '/v1/cycles', { token: organizer, body })).status).toBe(201);
    await send(`${CYCLE}/launch`, S.launch);
    await send(`${CYCLE}/analysis`, S.analysis);
    await send(`${CYCLE}/recommendation-rounds`, round('cadreMeeting', 100));
    const answer = await send(`${CYCLE}/recommendation-rounds`, round('fullCommittee', 31));
    expect(answer.stage).toBe('inspection');
    expect(answer.candidates).toHaveLength(60);
    expect(answer.candidates.filter((c: { opened?: boolean }) => !c.opened)).toEqual([]);
  });
});
