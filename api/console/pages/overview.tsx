/** 总览: the jurisdiction tree under the user's scope, each cycle's stage, deadline and markers. */
import type { Hono } from 'hono';
import type { ConsoleEnv, Failed, PageKit, ConsoleContext } from '../kit.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import { Layout, Refused, StageBar, bj, stageLabel, statusLabel } from '../layout.js';
import { DataView } from '../view.js';

/**
 * Jurisdictions the tree lists at most, beyond every place with a cycle and the path to it: a
 * province's ~30,000 villages made a 4 MB page that took the API's event loop 40 s to render.
 */
export const TREE_LIMIT = 400;

/**
 * `listed`: the jurisdictions the tree shows, offered as a choice; when the tree is cut short
 * (`cut`), the field takes any id in the scope instead.
 */
const startFields = (listed: any[], cut = false): Field[] => [
  cut
    ? { name: 'jurisdictionId', label: '行政区划', hint: '区划编号（下级区划太多，不一一列出）', required: true }
    : {
        name: 'jurisdictionId',
        label: '行政区划',
        type: 'select',
        options: listed.map((j) => [j.id, `${j.name}（${j.id}）`] as const),
      },
  { name: 'term', label: '届次（年份）', value: String(new Date().getFullYear()), required: true },
  {
    name: 'positions',
    label: '职位',
    type: 'list',
    columns: [
      { name: 'id', label: '编号（字母）' },
      { name: 'title', label: '名称' },
      { name: 'seats', label: '职数', type: 'number' },
    ],
    rows: [
      { id: 'secretary', title: '书记', seats: '1' },
      { id: 'deputy', title: '副职', seats: '2' },
    ],
  },
  { name: 'committees.standing', label: '常委会人数', type: 'number', value: '11' },
  { name: 'committees.full', label: '全委会人数', type: 'number', value: '31' },
  {
    name: 'policy',
    label: '政策（JSON，可留空用默认）',
    type: 'json',
    optional: true,
    hint: '例如压缩日历：{"calendar":{"kind":"compressed","secondsPerWorkingDay":5}}',
  },
  { name: '_key', label: '', type: 'hidden', value: newKey() },
];

export function overviewPage(app: Hono<ConsoleEnv>, kit: PageKit) {
  const render = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const roles = user.roles.map((r) => r.split(':')[0]);
    if (!roles.some((r) => ['organizer', 'viewer', 'supervisor', 'investigator'].includes(r!)))
      return c.redirect(roles.includes('reviewer') ? '/console/inbox' : '/console/reports', 303);
    const api = kit.api(c);
    const [tree, cycles] = await Promise.all([
      api.get(`/v1/jurisdictions/${encodeURIComponent(user.scope)}/subtree`),
      api.get(`/v1/cycles?scope=${encodeURIComponent(user.scope)}&limit=500`),
    ]);
    const jurisdictions: any[] = tree.ok ? tree.data.jurisdictions : [];
    const byJurisdiction = groupBy<any, string>(cycles.ok ? cycles.data.cycles : [], (cy) => cy.jurisdictionId);
    const ids = new Set(jurisdictions.map((j) => j.id));
    const parentOf = new Map<string, string | null>(
      jurisdictions.map((j) => [j.id, ids.has(j.parentId) ? j.parentId : null]),
    );
    const children = groupBy(jurisdictions, (j) => parentOf.get(j.id) ?? null);
    const listed = listedJurisdictions(children, parentOf, byJurisdiction.keys());
    const cut = listed.size < jurisdictions.length;
    const campaignId = c.req.query('campaign')?.trim();
    const campaign = campaignId ? await api.get(`/v1/campaigns/${encodeURIComponent(campaignId)}`) : undefined;
    const now = Date.now();
    const Node = (p: { j: any }): any => (
      <li data-jurisdiction={p.j.id}>
        <strong>
          {p.j.name}（{p.j.id}）
        </strong>
        {(byJurisdiction.get(p.j.id) ?? []).map((cy) => {
          const deadline = cy.deadline ? new Date(cy.deadline).getTime() : undefined;
          const overdue = cy.status === 'running' && deadline !== undefined && deadline < now;
          const waiting = waitText(cy.waitingFor);
          const held = /hold|暂停|关口/.test(waiting);
          const link = kit.temporalLink(`cycle:${cy.id}`);
          return (
            <div class="card cycle-row" data-cycle={cy.id}>
              <a href={`/console/cycles/${encodeURIComponent(cy.id)}`}>
                {cy.term} 年换届 · {stageLabel(cy.stage)} · {statusLabel(cy.status)}
              </a>
              {overdue ? <span class="tag overdue">逾期</span> : null}
              {held ? <span class="tag hold">暂停中</span> : null}
              <StageBar stage={cy.stage} status={cy.status} />
              <div>
                下一期限：{bj(cy.deadline)}
                {waiting ? ` · 等待：${waiting}` : ''}
                {link ? (
                  <>
                    {' · '}
                    <a href={link}>在 Temporal UI 中查看</a>
                  </>
                ) : null}
              </div>
            </div>
          );
        })}
        {(children.get(p.j.id) ?? []).length ? (
          <ul>
            {(children.get(p.j.id) ?? [])
              .filter((k) => listed.has(k.id))
              .map((k) => (
                <Node j={k} />
              ))}
            {unlisted(p.j.id) ? <li class="more">另有 {unlisted(p.j.id)} 个下级区划未列出</li> : null}
          </ul>
        ) : null}
      </li>
    );
    const unlisted = (id: string) => (children.get(id) ?? []).filter((k) => !listed.has(k.id)).length;
    const organizer = roles.includes('organizer');
    return c.html(
      <Layout title="总览" user={user} notice={c.req.query('notice')}>
        {!tree.ok ? <Refused what="行政区划" refusal={tree.refusal} /> : null}
        {!cycles.ok ? <Refused what="换届列表" refusal={cycles.refusal} /> : null}
        <section aria-labelledby="tree-h">
          <h2 id="tree-h">行政区划与换届进度</h2>
          {cut ? (
            <p id="tree-note">
              共 {jurisdictions.length} 个区划，此处列出 {listed.size}
              个：上面几级，以及每个有换届的区划和它的上级。完整的区划表：GET /v1/jurisdictions/
              {user.scope}/subtree。
            </p>
          ) : null}
          <ul class="tree">
            {(children.get(null) ?? [])
              .filter((j) => listed.has(j.id))
              .map((j) => (
                <Node j={j} />
              ))}
          </ul>
        </section>
        <section aria-labelledby="campaign-h" class="card">
          <h2 id="campaign-h">换届部署进度（按阶段）</h2>
          <form method="get" action="/console">
            <div class="field">
              <label for="campaign-id">部署编号（根区划:层级:届次，如 440300:township:2026）</label>
              <input id="campaign-id" name="campaign" value={campaignId ?? ''} />
            </div>
            <button type="submit">查看</button>
          </form>
          {campaign ? (
            campaign.ok ? (
              <DataView data={campaign.data} />
            ) : (
              <Refused what="换届部署" refusal={campaign.refusal} />
            )
          ) : null}
        </section>
        {organizer ? (
          <Form
            id="start-cycle"
            action="/console/cycles"
            title="发起换届"
            fields={startFields(
              jurisdictions.filter((j) => listed.has(j.id)),
              cut,
            )}
            submit="发起"
            values={failed?.form === 'start-cycle' ? { ...failed.values, _key: newKey() } : undefined}
            refusal={failed?.form === 'start-cycle' ? failed.refusal : undefined}
          />
        ) : null}
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };

  app.get('/', (c) => render(c));
  app.post('/cycles', async (c) => {
    const form = await kit.form(c);
    const answer = await kit.submit(c, '/v1/cycles', startFields([]), form);
    if (answer.ok)
      return c.redirect(
        `/console/cycles/${encodeURIComponent(answer.data.cycleId)}?notice=${encodeURIComponent('已发起')}`,
        303,
      );
    return render(c, { form: 'start-cycle', values: form, refusal: answer.refusal });
  });
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * What the tree lists: every jurisdiction with a cycle and the path down to it, then the rest level
 * by level from the top, until TREE_LIMIT.
 */
function listedJurisdictions(
  children: Map<string | null, any[]>,
  parentOf: Map<string, string | null>,
  withCycles: Iterable<string>,
): Set<string> {
  const listed = new Set<string>();
  for (const id of withCycles)
    for (let at: string | null | undefined = id; at && parentOf.has(at) && !listed.has(at); at = parentOf.get(at))
      listed.add(at);
  const level = [...(children.get(null) ?? [])];
  for (let i = 0; i < level.length && listed.size < TREE_LIMIT; i++) {
    listed.add(level[i].id);
    level.push(...(children.get(level[i].id) ?? []));
  }
  return listed;
}

export function waitText(w: unknown): string {
  if (w === null || w === undefined) return '';
  if (typeof w === 'string') return w;
  if (typeof w === 'object') {
    const o = w as Record<string, unknown>;
    return String(o.description ?? o.reason ?? o.kind ?? JSON.stringify(w));
  }
  return String(w);
}
