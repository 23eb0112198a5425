/**
 * Every route × every role: allowed (anything but 403) or forbidden (403), as api/authz.ts says;
 * and every object route answers 404 to a caller from another jurisdiction. The route list comes
 * from the OpenAPI document, so a new route without a line here fails the first test. The matrix
 * sends each route by its OpenAPI path, so those requests are raw (stack.call); the objects it
 * needs are made through the typed client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, type Action } from '../../api/authz.js';
import type { Principal } from '../../api/auth.js';
import { WU_CHA } from '../../domain/eager/supervision.js';
import { loadSampleTree, startStack, type Stack } from '../helpers.js';
import * as S from '../scenario.js';
import { expectStatus, read } from './client.js';

let stack: Stack;
const ROLES: Principal['roles'][number][] = [
  'organizer',
  'reviewer:audit',
  'supervisor',
  'intake',
  'investigator',
  'viewer',
  'operator',
];

/**
 * method, OpenAPI path, action, a body that passes schema validation, path values; `topScope`: the
 * route also needs a scope at the top of the tree (tried with 440000, and refused below it).
 */
const ROUTES: { method: string; path: string; action: Action; body?: unknown; topScope?: true }[] = [
  { method: 'post', path: '/v1/ping', action: 'system.ping', body: { message: 'hi' } },
  { method: 'get', path: '/v1/audit/verify', action: 'audit.verify', topScope: true },
  {
    method: 'put',
    path: '/v1/jurisdictions',
    action: 'jurisdiction.write',
    body: { jurisdictions: [{ id: '440304003', name: '华富街道', level: 'township', parentId: '440304' }] },
  },
  { method: 'get', path: '/v1/jurisdictions/{id}/subtree', action: 'jurisdiction.read' },
  { method: 'post', path: '/v1/cycles', action: 'cycle.start', body: S.startBody('440304', '2050') },
  { method: 'get', path: '/v1/cycles', action: 'cycle.read' },
  { method: 'get', path: '/v1/cycles/{cycleId}', action: 'cycle.read' },
  { method: 'get', path: '/v1/cycles/{cycleId}/timeline', action: 'cycle.read' },
  { method: 'post', path: '/v1/cycles/{cycleId}/launch', action: 'cycle.input', body: S.launch },
  { method: 'post', path: '/v1/cycles/{cycleId}/analysis', action: 'cycle.input', body: S.analysis },
  { method: 'post', path: '/v1/cycles/{cycleId}/recommendation-rounds', action: 'cycle.input', body: S.cadreMeeting },
  { method: 'post', path: '/v1/cycles/{cycleId}/standing-committee', action: 'cycle.input', body: S.standing },
  { method: 'post', path: '/v1/cycles/{cycleId}/committee-vote', action: 'cycle.input', body: S.vote },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/nominee-drops',
    action: 'cycle.input',
    body: { personId: 's1', reason: '举报属实' },
  },
  { method: 'post', path: '/v1/cycles/{cycleId}/approval', action: 'cycle.input', body: S.approval },
  { method: 'post', path: '/v1/cycles/{cycleId}/election', action: 'cycle.input', body: S.election() },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/holds',
    action: 'hold.manage',
    body: { name: 'matrix-hold', reason: '测试' },
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/hold-releases',
    action: 'hold.manage',
    body: { name: 'matrix-hold', resolution: '测试' },
  },
  { method: 'post', path: '/v1/cycles/{cycleId}/suspend', action: 'cycle.control', body: { reason: '测试' } },
  { method: 'post', path: '/v1/cycles/{cycleId}/resume', action: 'cycle.control', body: { reason: '测试' } },
  { method: 'post', path: '/v1/cycles/{cycleId}/abort', action: 'cycle.control', body: { reason: '测试' } },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/calendar-years',
    action: 'cycle.control',
    body: { year: 2027, holidays: [], workdays: [] },
  },
  { method: 'get', path: '/v1/cycles/{cycleId}/candidates/{personId}', action: 'candidate.read' },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/dossier',
    action: 'candidate.dossier',
    body: { result: 'passed' },
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/stop',
    action: 'candidate.stop',
    body: { reason: '测试' },
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/inspection',
    action: 'candidate.dossier',
    body: S.fullChecklist,
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/personal-matters',
    action: 'candidate.dossier',
    body: S.consistentMatters,
  },
  {
    method: 'get',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/personal-matters',
    action: 'personalMatters.read',
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/candidates/{personId}/verdicts',
    action: 'review.submit',
    body: S.clear('audit'),
  },
  { method: 'get', path: '/v1/reviews/inbox', action: 'review.read' },
  {
    method: 'post',
    path: '/v1/reports',
    action: 'report.intake',
    body: {
      channel: 'web',
      category: 'other',
      text: '测试',
      receivedAt: '2026-11-02T10:00:00+08:00',
      target: { type: 'jurisdiction', jurisdictionId: '440304' },
    },
  },
  { method: 'get', path: '/v1/reports', action: 'report.read' },
  { method: 'get', path: '/v1/reports/ledger', action: 'report.ledger' },
  { method: 'get', path: '/v1/reports/{reportId}', action: 'report.read' },
  { method: 'get', path: '/v1/reports/{reportId}/timeline', action: 'report.read' },
  {
    method: 'post',
    path: '/v1/reports/{reportId}/triage',
    action: 'report.triage',
    body: { kind: 'supervised', reason: '测试' },
  },
  {
    method: 'post',
    path: '/v1/reports/{reportId}/findings',
    action: 'report.finding',
    body: { finding: 'unsubstantiated', summary: '测试' },
  },
  { method: 'get', path: '/v1/cycles/{cycleId}/supervision', action: 'supervision.read' },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/supervision/checkpoints/{phase}',
    action: 'supervision.file',
    body: { checklist: Object.fromEntries(Object.keys(WU_CHA).map((k) => [k, { status: 'satisfactory' }])) },
  },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/supervision/rectifications',
    action: 'supervision.file',
    body: { findingId: 'x', note: '测试' },
  },
  { method: 'get', path: '/v1/cycles/{cycleId}/supervision/monitoring', action: 'supervision.read' },
  {
    method: 'post',
    path: '/v1/cycles/{cycleId}/supervision/monitoring',
    action: 'supervision.file',
    body: { point: '测试点', scores: { selection: 90, correction: 90, discipline: 90, conduct: 90 } },
  },
  {
    method: 'post',
    path: '/v1/risks',
    action: 'risk.register',
    body: {
      jurisdictionId: '440304',
      stage: 'election',
      category: 'other',
      level: 'low',
      description: '测试',
      measures: ['措施'],
      owner: '单位',
    },
  },
  { method: 'post', path: '/v1/risks/{riskId}/resolve', action: 'risk.resolve', body: { resolution: '测试' } },
  { method: 'get', path: '/v1/risks', action: 'risk.read' },
  { method: 'get', path: '/v1/risks/register', action: 'risk.read' },
  {
    method: 'post',
    path: '/v1/campaigns',
    action: 'campaign.start',
    body: S.campaignBody('440304', '2060'),
  },
  { method: 'get', path: '/v1/campaigns/{campaignId}', action: 'campaign.read' },
  { method: 'get', path: '/v1/ledger', action: 'ledger.read' },
];

const fill = (
  path: string,
  values: { cycleId: string; personId: string; id: string; reportId?: string; riskId?: string },
) =>
  path
    .replace('{cycleId}', values.cycleId)
    .replace('{personId}', values.personId)
    .replace('{id}', values.id)
    .replace('{reportId}', values.reportId ?? 'R-0000000000000000')
    .replace('{riskId}', values.riskId ?? 'K-000000000000')
    .replace('{phase}', 'launch')
    .replace('{campaignId}', '440304:township:2061');

beforeAll(async () => {
  stack = await startStack({ rateLimit: { perMinute: 100_000, burst: 10_000 } });
  await loadSampleTree(stack.pool);
});
afterAll(() => stack?.stop());

describe('the role matrix', () => {
  it('covers every route in the OpenAPI document', async () => {
    const doc = (await stack.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented);
  });

  for (const role of ROLES) {
    it(`${role}: allowed routes are not refused, the others answer 403`, async () => {
      const token = await stack.token([role], '440300', `matrix-${role}`);
      const atTop = await stack.token([role], '440000', `matrix-${role}`);
      for (const r of ROUTES) {
        const res = await stack.call(
          r.method.toUpperCase(),
          fill(r.path, { cycleId: '440304:2051', personId: 's1', id: '440304' }),
          { token: r.topScope ? atTop : token, body: r.body },
        );
        if (r.topScope) {
          // Below the top, refused whatever the role.
          const below = await stack.call(r.method.toUpperCase(), r.path, { token, body: r.body });
          expect(below.status, `${role} ${r.method} ${r.path} from 440300`).toBe(403);
        }
        const allowed = allows([role], r.action);
        expect(res.status, `${role} ${r.method} ${r.path}: ${JSON.stringify(res.body)}`).not.toBe(500);
        if (allowed) expect(res.status, `${role} ${r.method} ${r.path}`).not.toBe(403);
        else {
          expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
          expect(res.body.error.code).toBe('FORBIDDEN');
          // The role is checked before the input: bad ids, query and body tell such a caller nothing either.
          const hostile = await stack.call(
            r.method.toUpperCase(),
            `${fill(r.path, { cycleId: 'x', personId: '!', id: '%20' })}?limit=-1&unknown=1`,
            { token: r.topScope ? atTop : token, body: r.method === 'get' ? undefined : { unknown: 1 } },
          );
          expect(hostile.status, `${role} ${r.method} ${r.path} with bad input`).toBe(403);
        }
      }
    });
  }
});

describe('scope', () => {
  it('every object route answers 404 to a caller of another district holding every role, for objects that exist', async () => {
    const futian = stack.as(await stack.token(['organizer', 'intake'], '440304'));
    expect((await read(futian.v1.cycles.$post({ json: S.startBody('440304', '2052') }))).status).toBe(201);
    const reported = await read(
      futian.v1.reports.$post({
        json: {
          channel: 'web',
          category: 'other',
          text: '福田的举报',
          receivedAt: '2026-11-02T10:00:00+08:00',
          target: { type: 'jurisdiction', jurisdictionId: '440304' },
        },
        header: {},
      }),
    );
    expectStatus(reported, 201);
    const reportId = reported.body.reportId;
    const risk = await read(
      futian.v1.risks.$post({
        json: {
          jurisdictionId: '440304',
          stage: 'election',
          category: 'other',
          level: 'low',
          description: '福田的风险',
          measures: ['措施'],
          owner: '单位',
        },
        header: {},
      }),
    );
    expectStatus(risk, 201);
    const riskId = risk.body.riskId;
    const baoan = await stack.token(ROLES, '440306', 'baoan-everything');
    // Object routes, and the intake whose target lies in another district.
    const objectRoutes = ROUTES.filter(
      (r) =>
        r.path.includes('{') || (r.method === 'post' && ['/v1/reports', '/v1/risks', '/v1/campaigns'].includes(r.path)),
    );
    expect(objectRoutes.length).toBeGreaterThan(15);
    for (const r of objectRoutes) {
      const res = await stack.call(
        r.method.toUpperCase(),
        fill(r.path, { cycleId: '440304:2052', personId: 's1', id: '440304', reportId, riskId }),
        { token: baoan, body: r.body },
      );
      expect(res.status, `${r.method} ${r.path}: ${JSON.stringify(res.body)}`).toBe(404);
    }
    // Writing a subtree under another district is refused the same way.
    const put = await read(
      stack.as(baoan).v1.jurisdictions.$put({
        json: { jurisdictions: [{ id: '440304009', name: '某街道', level: 'township', parentId: '440304' }] },
        header: {},
      }),
    );
    expect(put.status).toBe(404);
    // And a cycle in scope is found by the same routes (the 404 above is about scope, not absence).
    expect((await read(futian.v1.cycles[':cycleId'].$get({ param: { cycleId: '440304:2052' } }))).status).toBe(200);
  });

  it('an id out of scope that came in the body or the query is named by its field, not the URL', async () => {
    // Found from outside: a report whose target lay outside the scope (or named no cycle) was refused 404
    // naming '(url)'. Absent and out of scope still answer alike.
    const baoan = await stack.token(['organizer', 'intake', 'supervisor'], '440306');
    const named = (res: { status: number; body: unknown }) => {
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      return (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    };
    const report = (target: unknown) =>
      stack.call('POST', '/v1/reports', {
        token: baoan,
        body: { channel: 'web', category: 'other', text: '越界的举报', receivedAt: new Date().toISOString(), target },
      });
    expect(named(await report({ type: 'jurisdiction', jurisdictionId: '440304' }))).toEqual(['target.jurisdictionId']);
    expect(named(await report({ type: 'candidate', cycleId: '440304:2052', personId: 's1' }))).toEqual([
      'target.cycleId',
    ]);
    expect(named(await report({ type: 'candidate', cycleId: '440306:1999', personId: 's1' }))).toEqual([
      'target.cycleId',
    ]);
    expect(named(await stack.call('GET', '/v1/cycles?scope=440304', { token: baoan }))).toEqual(['scope']);
    // An id in the URL is the URL's.
    expect(named(await stack.call('GET', '/v1/cycles/440304:2052', { token: baoan }))).toEqual(['(url)']);
  });
});
