/**
 * Drives cycles through the HTTP API of a cluster the way a careful client does when parts fail: every
 * input carries an Idempotency-Key, and a 5xx, a 429 or a dropped connection is retried with the same
 * key, so an act is applied once however often it is sent.
 */
import { signToken, type Principal } from '../../api/auth.js';
import * as S from '../scenario.js';

export interface Api {
  url: string;
  secret: string;
}

export const token = (api: Api, roles: Principal['roles'], scope: string, sub = 'cluster-test') =>
  signToken({ secret: api.secret, issuer: 'huanjie', audience: 'huanjie-api' }, { sub, roles, scope });

export async function call(
  api: Api,
  method: string,
  path: string,
  o: { token: string; body?: unknown; key?: string },
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${o.token}`,
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.key ? { 'idempotency-key': o.key } : {}),
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/** POSTs until the API accepts it; a 4xx other than 429 is an answer and fails the drive. */
export async function post(
  api: Api,
  path: string,
  body: unknown,
  tokenValue: string,
  key: string,
  timeoutMs = 300_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const r = await call(api, 'POST', path, { token: tokenValue, body, key });
      if (r.status === 200 || r.status === 201) return r.body;
      if (r.status < 500 && r.status !== 429 && r.status !== 404)
        throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      last = `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
    } catch (e) {
      if ((e as Error).message.startsWith('POST ')) throw e;
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`POST ${path} not accepted within ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 300_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not reached within ${timeoutMs / 1000} s${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export const CANDIDATES = ['s1', 's2', 's3', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'];

/**
 * One cycle from start to closed: inputs through `write`, every read through `read` (another replica).
 * `onInspection` runs once the cycle waits on its candidates (the failover test breaks things there).
 */
export async function driveCycle(
  write: Api,
  read: Api,
  jurisdictionId: string,
  term: string,
  onInspection?: () => Promise<void>,
): Promise<any> {
  const cycleId = `${jurisdictionId}:${term}`;
  const base = `/v1/cycles/${cycleId}`;
  const organizer = await token(write, ['organizer'], '440300', '组织部-集群测试');
  const reader = await token(read, ['organizer'], '440300', '组织部-读');
  const state = async () => {
    const r = await call(read, 'GET', base, { token: reader });
    return r.status === 200 ? r.body : undefined;
  };
  const stageIs = (stage: string) =>
    until(`${cycleId} at ${stage}`, async () => (await state())?.stage === stage && state());
  const k = (step: string) => `${cycleId}:${step}`.replace(/[^A-Za-z0-9_.:-]/g, '_');

  await post(write, '/v1/cycles', S.startBody(jurisdictionId, term), organizer, k('start'));
  await post(write, `${base}/launch`, S.launch, organizer, k('launch'));
  await stageIs('analysis');
  await post(write, `${base}/analysis`, S.analysis, organizer, k('analysis'));
  await stageIs('recommendation');
  await post(write, `${base}/recommendation-rounds`, S.cadreMeeting, organizer, k('round1'));
  await post(write, `${base}/recommendation-rounds`, S.fullCommittee, organizer, k('round2'));
  await stageIs('inspection');
  if (onInspection) await onInspection();
  for (const p of CANDIDATES) {
    const c = `${base}/candidates/${p}`;
    await until(
      `${cycleId} candidate ${p}`,
      async () => (await call(read, 'GET', c, { token: reader })).status === 200,
    );
    await post(write, `${c}/inspection`, S.fullChecklist, organizer, k(`${p}-inspection`));
    await post(write, `${c}/personal-matters`, S.consistentMatters, organizer, k(`${p}-matters`));
    for (const d of S.DEPARTMENTS) {
      const reviewer = await token(write, [`reviewer:${d}` as Principal['roles'][number]], '440300', `reviewer-${d}`);
      await post(write, `${c}/verdicts`, S.clear(d), reviewer, k(`${p}-verdict-${d}`));
    }
    await post(write, `${c}/dossier`, { result: 'passed' }, organizer, k(`${p}-dossier`));
  }
  await stageIs('decision');
  await post(write, `${base}/standing-committee`, S.standing, organizer, k('standing'));
  await post(write, `${base}/committee-vote`, S.vote, organizer, k('vote'));
  await stageIs('approval');
  await post(write, `${base}/approval`, S.approval, organizer, k('approval'));
  await stageIs('election');
  await post(write, `${base}/election`, S.election(['d1', 'd2']), organizer, k('election'));
  return until(`${cycleId} closed`, async () => {
    const s = await state();
    return s?.status === 'closed' && s;
  });
}

/**
 * Each act of a cycle's record with how often it occurs, read through an API replica. Acts of the
 * clock (a department chased or escalated, something overdue) depend on how fast the inputs came,
 * not on what was sent, so they are left out: what is compared is every human act and its effects.
 */
export async function actionCounts(read: Api, cycleId: string): Promise<Record<string, number>> {
  const reader = await token(read, ['organizer'], '440300', 'auditor');
  const r = await call(read, 'GET', `/v1/cycles/${cycleId}/timeline`, { token: reader });
  if (r.status !== 200) throw new Error(`timeline ${cycleId}: ${r.status}`);
  const counts: Record<string, number> = {};
  for (const e of r.body.events as { action: string }[])
    if (!/\.(chased|escalated|overdue)$/.test(e.action)) counts[e.action] = (counts[e.action] ?? 0) + 1;
  return counts;
}
