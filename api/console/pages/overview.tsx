/** 总览: the jurisdiction tree under the user's scope, each cycle's stage, deadline and markers. */
import type { Hono } from 'hono';
import type { ConsoleEnv, Failed, PageKit, ConsoleContext } from '../kit.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import { Layout, Refused, StageBar, bj, stageLabel, statusLabel } from '../layout.js';
import { DataView } from '../view.js';

const startFields = (jurisdictions: any[]): Field[] => [
  {
    name: 'jurisdictionId',
    label: '行政区划',
    type: 'select',
    options: jurisdictions.map((j) => [j.id, `${j.name}（${j.id}）`] as const),
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
    const byJurisdiction = new Map<string, any[]>();
    for (const cy of cycles.ok ? cycles.data.cycles : [])
      byJurisdiction.set(cy.jurisdictionId, [...(byJurisdiction.get(cy.jurisdictionId) ?? []), cy]);
    const children = new Map<string | null, any[]>();
    const ids = new Set(jurisdictions.map((j) => j.id));
    for (const j of jurisdictions) {
      const parent = ids.has(j.parentId) ? j.parentId : null;
      children.set(parent, [...(children.get(parent) ?? []), j]);
    }
    const campaignId = c.req.query('campaign')?.trim();
    const campaign = campaignId ? await api.get(`/v1/campaigns/${encodeURIComponent(campaignId)}`) : undefined;
    const now = Date.now();
    const Node = (p: { j: any }): any => (
      <li>
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
            {(children.get(p.j.id) ?? []).map((k) => (
              <Node j={k} />
            ))}
          </ul>
        ) : null}
      </li>
    );
    const organizer = roles.includes('organizer');
    return c.html(
      <Layout title="总览" user={user} notice={c.req.query('notice')}>
        {!tree.ok ? <Refused what="行政区划" refusal={tree.refusal} /> : null}
        {!cycles.ok ? <Refused what="换届列表" refusal={cycles.refusal} /> : null}
        <section aria-labelledby="tree-h">
          <h2 id="tree-h">行政区划与换届进度</h2>
          <ul class="tree">
            {(children.get(null) ?? []).map((j) => (
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
            fields={startFields(jurisdictions)}
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

export function waitText(w: unknown): string {
  if (w === null || w === undefined) return '';
  if (typeof w === 'string') return w;
  if (typeof w === 'object') {
    const o = w as Record<string, unknown>;
    return String(o.description ?? o.reason ?? o.kind ?? JSON.stringify(w));
  }
  return String(w);
}
