/** 举报: intake, one report with its triage, deadline, finding and record; sealed parts only as the API shows them. */
import type { Hono } from 'hono';
import { CATEGORIES, CHANNELS, CONSEQUENCES, FINDINGS, TRIAGE } from '../../../domain/reports.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import { holdNotice, type ConsoleContext, type ConsoleEnv, type Failed, type PageKit } from '../kit.js';
import { Layout, Refused, bj, roleLabel } from '../layout.js';
import { DataView } from '../view.js';

const opts = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => [k, v] as const);
const keyed = (fields: Field[]): Field[] => [...fields, { name: '_key', label: '', type: 'hidden', value: newKey() }];

export const intakeFields: Field[] = [
  { name: 'channel', label: '来源渠道', type: 'select', options: opts(CHANNELS) },
  { name: 'channelRef', label: '渠道编号（来信编号、来电编号）', optional: true },
  { name: 'category', label: '类别', type: 'select', options: opts(CATEGORIES) },
  {
    name: 'target.type',
    label: '举报对象类型',
    type: 'select',
    options: [
      ['candidate', '考察对象或拟任人选'],
      ['official', '干部（姓名密封保存）'],
      ['jurisdiction', '地区'],
    ],
  },
  { name: 'target.cycleId', label: '换届编号（对象为人选时）', optional: true, hint: '如 440306:2026' },
  { name: 'target.personId', label: '人选编号（对象为人选时）', optional: true },
  { name: 'target.jurisdictionId', label: '区划代码（对象为干部或地区时）', optional: true },
  { name: 'target.name', label: '干部姓名（对象为干部时）', optional: true },
  { name: 'text', label: '举报内容', type: 'textarea', required: true },
  { name: 'receivedAt', label: '收到时间（北京时间）', type: 'datetime', required: true },
  { name: 'reporter.name', label: '举报人姓名（可空）', optional: true },
  { name: 'reporter.phone', label: '举报人电话（可空）', optional: true },
];
const triageFields: Field[] = [
  { name: 'kind', label: '分办方式', type: 'select', options: opts(TRIAGE) },
  { name: 'unit', label: '承办单位', optional: true },
  { name: 'reason', label: '理由', type: 'textarea', required: true },
];
const findingFields: Field[] = [
  { name: 'finding', label: '查核结论', type: 'select', options: opts(FINDINGS) },
  {
    name: 'consequence',
    label: '处理（属实或部分属实时）',
    type: 'select',
    options: [['', '（无）'], ...opts(CONSEQUENCES)],
    optional: true,
  },
  { name: 'summary', label: '查核情况（澄清说明）', type: 'textarea', required: true },
];

const REPORT_STATUS: Record<string, string> = { registered: '已登记', verifying: '查核中', closed: '已办结' };

/** The record's columns as the API names them, in Chinese. */
const RECORD_LABELS: [string, string][] = [
  ['id', '编号'],
  ['channel', '渠道'],
  ['category', '类别'],
  ['status', '状态'],
  ['triage', '分办'],
  ['deadline', '期限'],
  ['finding', '结论'],
  ['consequence', '处理'],
  ['received_at', '收到时间'],
  ['closed_at', '办结时间'],
];

export function reportPages(app: Hono<ConsoleEnv>, kit: PageKit) {
  const enc = encodeURIComponent;
  const renderList = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const roles = user.roles.map((r) => r.split(':')[0]);
    const all = c.req.query('status') !== 'open';
    const [ledger, list] = await Promise.all([
      kit.api(c).get('/v1/reports/ledger'),
      kit.api(c).get(`/v1/reports?status=${all ? 'all' : 'open'}`),
    ]);
    const reports: any[] = list.ok ? list.data.reports : [];
    return c.html(
      <Layout title="举报" user={user} notice={c.req.query('notice')}>
        <form method="get" action="/console/reports/view" class="card">
          <h2>查看举报</h2>
          <div class="field">
            <label for="report-id">举报编号</label>
            <input id="report-id" name="id" />
          </div>
          <button type="submit">查看</button>
        </form>
        {roles.includes('intake') ? (
          <Form
            id="intake"
            action="/console/reports"
            title="举报登记"
            fields={keyed(intakeFields)}
            submit="登记"
            values={failed?.form === 'intake' ? { ...failed.values, _key: newKey() } : undefined}
            refusal={failed?.form === 'intake' ? failed.refusal : undefined}
          />
        ) : null}
        <section aria-labelledby="list-h">
          <h2 id="list-h">举报列表</h2>
          <p>
            {all ? <a href="/console/reports?status=open">只看未办结</a> : <a href="/console/reports">查看全部</a>}
            {' · '}未办结的在前，按期限先后排列。
          </p>
          {!list.ok ? <Refused what="举报列表" refusal={list.refusal} /> : null}
          <table id="reports">
            <thead>
              <tr>
                <th>编号</th>
                <th>区划</th>
                <th>渠道 / 类别</th>
                <th>对象</th>
                <th>分办</th>
                <th>期限</th>
                <th>状态</th>
                <th>结论</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr data-report={r.id}>
                  <td>
                    <a href={`/console/reports/${enc(r.id)}`}>{r.id}</a>
                  </td>
                  <td>{r.jurisdictionName}</td>
                  <td>
                    {CHANNELS[r.channel as keyof typeof CHANNELS] ?? r.channel} ·{' '}
                    {CATEGORIES[r.category as keyof typeof CATEGORIES] ?? r.category}
                  </td>
                  <td>{r.targetPersonId ? `${r.targetCycleId} / ${r.targetPersonId}` : r.targetType}</td>
                  <td>
                    {r.triage ? (TRIAGE[r.triage as keyof typeof TRIAGE] ?? r.triage) : '—'}
                    {r.unit ? `（${r.unit}）` : ''}
                  </td>
                  <td>
                    {bj(r.deadline)}
                    {r.overdue ? <span class="tag overdue">逾期</span> : null}
                    {r.escalatedAt ? <span class="tag overdue">已升级</span> : null}
                  </td>
                  <td>{REPORT_STATUS[r.status] ?? r.status}</td>
                  <td>
                    {r.finding ? (FINDINGS[r.finding as keyof typeof FINDINGS] ?? r.finding) : '—'}
                    {r.closedOnTime === false ? <span class="tag overdue">超期办结</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="rl-h">
          <h2 id="rl-h">举报台账（本范围）</h2>
          {ledger.ok ? <DataView data={ledger.data} /> : <Refused what="举报台账" refusal={ledger.refusal} />}
        </section>
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/reports', (c) => renderList(c));
  app.get('/reports/view', (c) => c.redirect(`/console/reports/${enc(c.req.query('id')?.trim() ?? '')}`, 303));
  app.post('/reports', async (c) => {
    const form = await kit.form(c);
    const answer = await kit.submit(c, '/v1/reports', intakeFields, form);
    if (answer.ok)
      return c.redirect(
        `/console/reports/${enc(answer.data.reportId)}?notice=${enc((answer.data.duplicateOf ? '重复举报，已关联到首件' : '已登记') + holdNotice(answer.data.hold))}`,
        303,
      );
    return renderList(c, { form: 'intake', values: form, refusal: answer.refusal });
  });

  const renderOne = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const id = c.req.param('id')!;
    const roles = user.roles.map((r) => r.split(':')[0]);
    const api = kit.api(c);
    const [report, timeline] = await Promise.all([
      api.get(`/v1/reports/${enc(id)}`),
      api.get(`/v1/reports/${enc(id)}/timeline`),
    ]);
    if (!report.ok)
      return c.html(
        <Layout title={`举报 ${id}`} user={user}>
          <Refused what="举报" refusal={report.refusal} />
        </Layout>,
        report.refusal.status as 404,
      );
    const r = report.data;
    const live = r.live ?? {};
    const closed = r.status === 'closed' || live.status === 'closed';
    const f = (name: string) => (failed?.form === name ? failed : undefined);
    // Sealed parts are on the page only when the API answered them (intake and investigators).
    const sealed = (['text', 'reporter', 'channel_ref', 'target', 'summary'] as const).filter(
      (k) => k in r && r[k] !== null,
    );
    return c.html(
      <Layout title={`举报 ${id}`} user={user} notice={c.req.query('notice')}>
        <p>
          <a href="/console/reports">← 举报</a>
          {kit.temporalLink(`report:${id}`) ? (
            <>
              {' · '}
              <a href={kit.temporalLink(`report:${id}`)}>在 Temporal UI 中查看</a>
            </>
          ) : null}
        </p>
        <table class="card" id="report-record">
          <tbody>
            {RECORD_LABELS.filter(([k]) => k in r).map(([k, label]) => (
              <tr>
                <th scope="row">{label}</th>
                <td>{/_at$|deadline/.test(k) ? bj(r[k]) : String(r[k] ?? '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {sealed.length > 0 ? (
          <section class="card" id="sealed" aria-labelledby="sealed-h">
            <h2 id="sealed-h">密封内容（仅受理和查核人员可见）</h2>
            <DataView data={Object.fromEntries(sealed.map((k) => [k, r[k]]))} />
          </section>
        ) : null}
        <section class="card" aria-labelledby="live-h">
          <h2 id="live-h">办理状态</h2>
          <DataView data={live} />
        </section>
        {!closed && roles.some((x) => x === 'intake' || x === 'investigator') ? (
          <Form
            id="triage"
            action={`/console/reports/${enc(id)}/triage`}
            title="分办"
            fields={keyed(triageFields)}
            submit="分办"
            values={f('triage')?.values}
            refusal={f('triage')?.refusal}
          />
        ) : null}
        {!closed && roles.includes('investigator') ? (
          <Form
            id="findings"
            action={`/console/reports/${enc(id)}/findings`}
            title="查核结论"
            fields={keyed(findingFields)}
            submit="提交结论"
            values={f('findings')?.values}
            refusal={f('findings')?.refusal}
          />
        ) : null}
        <section aria-labelledby="rt-h">
          <h2 id="rt-h">办理过程</h2>
          {timeline.ok ? (
            <table>
              <thead>
                <tr>
                  <th>时间（北京）</th>
                  <th>谁</th>
                  <th>做了什么</th>
                </tr>
              </thead>
              <tbody>
                {timeline.data.events.map((e: any) => (
                  <tr>
                    <td>{bj(e.at)}</td>
                    <td>
                      {e.actor}（
                      {String(e.role ?? '')
                        .split(',')
                        .map(roleLabel)
                        .join('、')}
                      ）
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Refused what="办理过程" refusal={timeline.refusal} />
          )}
        </section>
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/reports/:id', (c) => renderOne(c));
  app.post('/reports/:id/:input{triage|findings}', async (c) => {
    const { id, input } = c.req.param();
    const form = await kit.form(c);
    const answer = await kit.submit(
      c,
      `/v1/reports/${enc(id)}/${input}`,
      input === 'triage' ? triageFields : findingFields,
      form,
    );
    if (answer.ok) return c.redirect(`/console/reports/${enc(id)}?notice=${enc('已提交')}`, 303);
    return renderOne(c, { form: input, values: form, refusal: answer.refusal });
  });
}
