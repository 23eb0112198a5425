/** 换届风气监督 and 风险台账: checkpoints (五查, agenda), rectifications, monitoring, the risk register. */
import type { Hono } from 'hono';
import { cycleKeyFromId } from '../../../domain/ids.js';
import { KEY_STAGES } from '../../../domain/stages.js';
import { PHASES, RISK_CATEGORIES, SEVERITIES, WU_CHA } from '../../../domain/supervision.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import { holdNotice, type ConsoleContext, type ConsoleEnv, type Failed, type PageKit } from '../kit.js';
import { Layout, Refused, stageLabel } from '../layout.js';
import { DataView } from '../view.js';

const keyed = (fields: Field[]): Field[] => [...fields, { name: '_key', label: '', type: 'hidden', value: newKey() }];
const SEVERITY_LABELS: Record<string, string> = { low: '低', medium: '中', high: '高' };

const checkpointFields = (agenda: string[]): Field[] => [
  ...Object.entries(WU_CHA).flatMap(([k, label]): Field[] => [
    {
      name: `checklist.${k}.status`,
      label: `五查：${label}`,
      type: 'select',
      options: [
        ['satisfactory', '良好'],
        ['deficient', '存在不足'],
      ],
    },
    { name: `checklist.${k}.note`, label: `五查：${label}说明`, optional: true },
  ]),
  {
    name: 'findings',
    label: '发现问题（如有）',
    type: 'list',
    hint: '高风险问题须填整改责任单位和期限',
    columns: [
      {
        name: 'severity',
        label: '程度',
        type: 'select',
        options: [['', '（选择）'], ...SEVERITIES.map((s) => [s, SEVERITY_LABELS[s]!] as const)],
      },
      { name: 'description', label: '问题描述' },
      { name: 'rectification.owner', label: '整改责任单位', optional: true },
      { name: 'rectification.deadlineWorkingDays', label: '整改期限（工作日）', type: 'number' },
    ],
  },
  {
    name: 'riskResponses',
    label: '议程上的中风险答复',
    type: 'list',
    columns: [
      { name: 'riskId', label: '风险编号' },
      { name: 'response', label: '答复' },
    ],
    rows: agenda.map((riskId) => ({ riskId })),
    blank: 0,
  },
];
const rectificationFields: Field[] = [
  { name: 'findingId', label: '问题编号', required: true },
  { name: 'note', label: '验收意见', type: 'textarea', required: true },
];
const monitoringFields: Field[] = [
  { name: 'point', label: '监测点', required: true },
  { name: 'scores.selection', label: '选人用人工作总体评价（0–100）', type: 'number', required: true },
  { name: 'scores.correction', label: '纠正用人不正之风（0–100）', type: 'number', required: true },
  { name: 'scores.discipline', label: '换届纪律（0–100）', type: 'number', required: true },
  { name: 'scores.conduct', label: '换届风气（0–100）', type: 'number', required: true },
];
const riskFields: Field[] = [
  { name: 'jurisdictionId', label: '区划代码', required: true },
  { name: 'cycleId', label: '换届编号（可空）', optional: true },
  { name: 'stage', label: '环节', type: 'select', options: KEY_STAGES.map((s) => [s, stageLabel(s)] as const) },
  {
    name: 'category',
    label: '类别',
    type: 'select',
    options: Object.entries(RISK_CATEGORIES).map(([k, v]) => [k, v] as const),
  },
  { name: 'level', label: '等级', type: 'select', options: SEVERITIES.map((s) => [s, SEVERITY_LABELS[s]!] as const) },
  { name: 'description', label: '风险描述', type: 'textarea', required: true },
  {
    name: 'measures',
    label: '防范措施',
    type: 'list',
    required: true,
    columns: [{ name: '', label: '措施' }],
    blank: 3,
  },
  { name: 'owner', label: '责任单位', required: true },
  { name: 'deadlineWorkingDays', label: '高风险：上级督办期限（工作日）', type: 'number', optional: true },
];

export function supervisionPages(app: Hono<ConsoleEnv>, kit: PageKit) {
  const enc = encodeURIComponent;
  const render = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const id = c.req.param('id')!;
    const roles = user.roles.map((r) => r.split(':')[0]);
    const sup = await kit.api(c).get(`/v1/cycles/${enc(id)}/supervision`);
    const f = (name: string) => (failed?.form === name ? failed : undefined);
    if (!sup.ok)
      return c.html(
        <Layout title={`换届风气监督 ${id}`} user={user}>
          <Refused what="监督" refusal={sup.refusal} />
        </Layout>,
        sup.refusal.status as 404,
      );
    const s = sup.data;
    const checkpoints: any[] = s.checkpoints ?? [];
    const filer = roles.includes('supervisor');
    // Checkpoints are filed by the teams of the level directly above the cycle's (a root's by its own): no
    // form where the API would refuse it.
    const jurisdictionId = cycleKeyFromId(id).jurisdictionId;
    const tree = filer ? await kit.api(c).get(`/v1/jurisdictions/${enc(jurisdictionId)}/subtree`) : undefined;
    const place = tree?.ok
      ? tree.data.jurisdictions?.find((j: { id: string; parentId: string | null }) => j.id === jurisdictionId)
      : undefined;
    const supervising: string | undefined = place ? (place.parentId ?? jurisdictionId) : undefined;
    const ownLevel = supervising !== undefined && user.scope !== supervising;
    const files = filer && supervising !== undefined && !ownLevel;
    return c.html(
      <Layout title={`换届风气监督 ${id}`} user={user} notice={c.req.query('notice')}>
        <p>
          <a href={`/console/cycles/${enc(id)}`}>← 返回换届</a>
          {kit.temporalLink(`supervision:${id}`) ? (
            <>
              {' · '}
              <a href={kit.temporalLink(`supervision:${id}`)}>在 Temporal UI 中查看</a>
            </>
          ) : null}
        </p>
        {Object.entries(PHASES).map(([phase, label]) => {
          const cp = checkpoints.find((x) => x.phase === phase);
          const open = cp && !cp.filedAt;
          const agenda: string[] = cp?.agenda ?? [];
          return (
            <section class="card" aria-labelledby={`cp-${phase}`}>
              <h2 id={`cp-${phase}`}>督查节点：{label}</h2>
              {cp ? <DataView data={cp} /> : <p>尚未开启</p>}
              {filer && open && ownLevel ? <p>{`本次换届的督查报告由 ${supervising} 的换届风气监督组提交。`}</p> : null}
              {files && open ? (
                <Form
                  id={`checkpoint-${phase}`}
                  action={`/console/cycles/${enc(id)}/supervision/checkpoints/${phase}`}
                  title={`提交督查报告（${label}）`}
                  fields={keyed(checkpointFields(agenda))}
                  submit="提交督查报告"
                  values={f(`checkpoint-${phase}`)?.values}
                  refusal={f(`checkpoint-${phase}`)?.refusal}
                />
              ) : null}
            </section>
          );
        })}
        <section class="card" aria-labelledby="rest-h">
          <h2 id="rest-h">整改与监测</h2>
          <DataView data={Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'checkpoints'))} />
        </section>
        {filer ? (
          <>
            <Form
              id="rectification"
              action={`/console/cycles/${enc(id)}/supervision/rectifications`}
              title="整改验收"
              fields={keyed(rectificationFields)}
              submit="验收"
              values={f('rectification')?.values}
              refusal={f('rectification')?.refusal}
            />
            <Form
              id="monitoring"
              action={`/console/cycles/${enc(id)}/supervision/monitoring`}
              title="百点监测评分"
              fields={keyed(monitoringFields)}
              submit="提交评分"
              values={f('monitoring')?.values}
              refusal={f('monitoring')?.refusal}
            />
          </>
        ) : null}
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/cycles/:id/supervision', (c) => render(c));
  const post = async (c: ConsoleContext, kind: 'checkpoints' | 'rectifications' | 'monitoring', phase?: string) => {
    const id = c.req.param('id')!;
    const form = await kit.form(c);
    let fields: Field[];
    let formId: string;
    if (kind === 'checkpoints') {
      fields = checkpointFields([]);
      formId = `checkpoint-${phase}`;
    } else if (kind === 'rectifications') {
      fields = rectificationFields;
      formId = 'rectification';
    } else {
      fields = monitoringFields;
      formId = 'monitoring';
    }
    const path = `/v1/cycles/${enc(id)}/supervision/${kind}${kind === 'checkpoints' ? `/${enc(phase ?? '')}` : ''}`;
    const answer = await kit.submit(c, path, fields, form);
    if (answer.ok) return c.redirect(`/console/cycles/${enc(id)}/supervision?notice=${enc('已提交')}`, 303);
    return render(c, { form: formId, values: form, refusal: answer.refusal });
  };
  app.post('/cycles/:id/supervision/checkpoints/:phase', (c) => post(c, 'checkpoints', c.req.param('phase')));
  app.post('/cycles/:id/supervision/rectifications', (c) => post(c, 'rectifications'));
  app.post('/cycles/:id/supervision/monitoring', (c) => post(c, 'monitoring'));

  const renderRisks = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const roles = user.roles.map((r) => r.split(':')[0]);
    const api = kit.api(c);
    const [risks, register] = await Promise.all([api.get('/v1/risks'), api.get('/v1/risks/register')]);
    const list: any[] = risks.ok ? (risks.data.risks ?? []) : [];
    return c.html(
      <Layout title="风险台账" user={user} notice={c.req.query('notice')}>
        {!risks.ok ? <Refused what="风险" refusal={risks.refusal} /> : null}
        <table id="risks">
          <thead>
            <tr>
              <th>编号</th>
              <th>区划</th>
              <th>环节</th>
              <th>等级</th>
              <th>描述</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr>
                <td>{r.id ?? r.riskId}</td>
                <td>{r.jurisdictionName ?? r.jurisdictionId}</td>
                <td>{stageLabel(r.stage)}</td>
                <td>{SEVERITY_LABELS[r.level] ?? r.level}</td>
                <td>{r.description}</td>
                <td>{r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <section class="card" aria-labelledby="reg-h">
          <h2 id="reg-h">风险隐患台账汇总</h2>
          {register.ok ? <DataView data={register.data} /> : <Refused what="台账" refusal={register.refusal} />}
        </section>
        {roles.some((r) => r === 'organizer' || r === 'supervisor') ? (
          <Form
            id="risk"
            action="/console/risks"
            title="登记风险"
            fields={keyed(riskFields)}
            submit="登记"
            values={failed?.form === 'risk' ? { ...failed.values, _key: newKey() } : undefined}
            refusal={failed?.form === 'risk' ? failed.refusal : undefined}
          />
        ) : null}
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/risks', (c) => renderRisks(c));
  app.post('/risks', async (c) => {
    const form = await kit.form(c);
    const answer = await kit.submit(c, '/v1/risks', riskFields, form);
    if (answer.ok) return c.redirect(`/console/risks?notice=${enc('已登记' + holdNotice(answer.data.hold))}`, 303);
    return renderRisks(c, { form: 'risk', values: form, refusal: answer.refusal });
  });
}
