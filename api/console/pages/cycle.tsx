/** 换届详情: the story (流程纪实), candidates, nominees, holds and the form the stage waits for; the dossier. */
import type { Hono } from 'hono';
import { DEPARTMENT_LABELS } from '../../../domain/policy.js';
import { INTERVIEW_CATEGORIES, MANDATORY_CHECKS, PERSONAL_MATTER_ITEMS } from '../../../domain/inspection.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import type { ConsoleContext, ConsoleEnv, Failed, PageKit } from '../kit.js';
import { Layout, Refused, StageBar, bj, roleLabel, stageLabel, statusLabel } from '../layout.js';
import { STAGE_INPUT_PATHS, stageForm } from '../stage-forms.js';
import { DataView } from '../view.js';

const PM_OUTCOME: Record<string, string> = { consistent: '一致', omission: '漏报', concealment: '瞒报' };
import { waitText } from './overview.js';

const VERDICT_LABELS: Record<string, string> = { clear: '未发现问题', concern: '有疑虑', disqualifying: '不宜提名' };
const CANDIDATE_STATUS: Record<string, string> = { inspecting: '考察中', passed: '考察合格', stopped: '已终止' };
const NOMINEE_STATUS: Record<string, string> = {
  published: '公示中',
  dropped: '已取消',
  approved: '已审批',
  rejected: '未获批',
  elected: '当选',
  notElected: '未当选',
};

const holdFields: Field[] = [
  { name: 'name', label: '暂停名称（字母、数字和 : _ . -）', required: true },
  { name: 'reason', label: '理由', type: 'textarea', required: true },
  { name: 'personId', label: '只暂停此人（人选编号，可空）', optional: true },
  // A hold raised by hand is always the organizer's kind: reports, findings and risks raise their own.
  { name: 'source', label: '', type: 'hidden', value: 'organizer' },
];
const releaseFields: Field[] = [
  { name: 'name', label: '暂停名称', required: true },
  { name: 'resolution', label: '处理结果', type: 'textarea', required: true },
];

const keyed = (fields: Field[]): Field[] => [...fields, { name: '_key', label: '', type: 'hidden', value: newKey() }];

export function cyclePages(app: Hono<ConsoleEnv>, kit: PageKit) {
  const enc = encodeURIComponent;
  const renderCycle = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const id = c.req.param('id')!;
    const api = kit.api(c);
    const [state, timeline] = await Promise.all([
      api.get(`/v1/cycles/${enc(id)}`),
      api.get(`/v1/cycles/${enc(id)}/timeline`),
    ]);
    if (!state.ok)
      return c.html(
        <Layout title={`换届 ${id}`} user={user}>
          <Refused what="换届" refusal={state.refusal} />
        </Layout>,
        state.refusal.status as 404,
      );
    const s = state.data;
    const roles = user.roles.map((r) => r.split(':')[0]);
    const organizer = roles.includes('organizer');
    const canHold = roles.some((r) => ['organizer', 'supervisor', 'investigator'].includes(r!));
    const sf = organizer ? stageForm(s) : undefined;
    const title = `${s.jurisdiction?.name ?? id} ${s.term} 年换届`;
    const link = kit.temporalLink(`cycle:${id}`);
    const all = kit.temporalQueryLink(`HuanjieCycle = '${id}'`);
    const f = (name: string) => (failed?.form === name ? failed : undefined);
    const people = new Map<string, string>(
      [...(s.candidates ?? []), ...(s.nominees ?? [])].map((p: any) => [p.personId, p.name]),
    );
    return c.html(
      <Layout title={title} user={user} notice={c.req.query('notice')}>
        <section class="card" aria-labelledby="where-h">
          <h2 id="where-h">
            当前阶段：{stageLabel(s.stage)} · {statusLabel(s.status)}
          </h2>
          <StageBar stage={s.stage} status={s.status} />
          <p>
            {waitText(s.waitingFor) ? `等待：${waitText(s.waitingFor)}。` : ''}
            {s.deadline ? `期限：${bj(s.deadline)}。` : ''}
            {s.statusReason ? `原因：${s.statusReason}。` : ''}
          </p>
          <p>
            {link ? <a href={link}>在 Temporal UI 中查看此换届</a> : null}
            {all ? (
              <>
                {' · '}
                <a href={all}>及其考察对象和监督</a>
              </>
            ) : null}
            {' · '}
            <a href={`/console/cycles/${enc(id)}/supervision`}>换届风气监督</a>
          </p>
        </section>

        <section aria-labelledby="holds-h">
          <h2 id="holds-h">关口暂停</h2>
          {(s.holds ?? []).length === 0 ? (
            <p>无</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>名称</th>
                  <th>理由</th>
                  <th>人选</th>
                  <th>来源</th>
                  <th>设置时间</th>
                </tr>
              </thead>
              <tbody>
                {s.holds.map((h: any) => (
                  <tr>
                    <td>
                      <span class="tag hold">{h.name}</span>
                    </td>
                    <td>{h.reason}</td>
                    <td>{h.personId ? `${people.get(h.personId) ?? ''}（${h.personId}）` : '全部'}</td>
                    <td>{h.source}</td>
                    <td>{bj(h.raisedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        {sf ? (
          <Form
            id="stage-input"
            action={`/console/cycles/${enc(id)}/input/${sf.path}`}
            title={`本阶段待录入：${sf.title}`}
            fields={keyed(sf.fields)}
            submit="提交"
            values={f('stage-input') ? { ...f('stage-input')!.values, _key: newKey() } : undefined}
            refusal={f('stage-input')?.refusal}
          />
        ) : null}

        <section aria-labelledby="cand-h">
          <h2 id="cand-h">考察对象</h2>
          {(s.candidates ?? []).length === 0 ? (
            <p>尚无</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>编号</th>
                  <th>职位</th>
                  <th>排名/得票</th>
                  <th>状态</th>
                  <th>说明</th>
                </tr>
              </thead>
              <tbody>
                {s.candidates.map((p: any) => (
                  <tr>
                    <td>
                      <a href={`/console/cycles/${enc(id)}/candidates/${enc(p.personId)}`}>{p.name}</a>
                    </td>
                    <td>{p.personId}</td>
                    <td>{p.positionId}</td>
                    <td>
                      {p.rank} / {p.votes}
                    </td>
                    <td>{CANDIDATE_STATUS[p.status] ?? p.status}</td>
                    <td>{[p.reason, ...(p.concerns ?? [])].filter(Boolean).join('；')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="nom-h">
          <h2 id="nom-h">拟任人选</h2>
          {(s.nominees ?? []).length === 0 ? (
            <p>尚无</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>职位</th>
                  <th>赞成票</th>
                  <th>状态</th>
                  <th>公示期至</th>
                </tr>
              </thead>
              <tbody>
                {s.nominees.map((n: any) => (
                  <tr>
                    <td>
                      {n.name}（{n.personId}）
                    </td>
                    <td>{n.positionId}</td>
                    <td>{n.inFavor}</td>
                    <td>{NOMINEE_STATUS[n.status] ?? n.status}</td>
                    <td>{bj(n.publicityEndsAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        {canHold && s.status !== 'closed' && s.status !== 'aborted' ? (
          <>
            <Form
              id="hold"
              action={`/console/cycles/${enc(id)}/input/holds`}
              title="设置关口暂停"
              fields={keyed(holdFields)}
              submit="暂停"
              values={f('hold')?.values}
              refusal={f('hold')?.refusal}
            />
            <Form
              id="hold-release"
              action={`/console/cycles/${enc(id)}/input/hold-releases`}
              title="解除关口暂停"
              fields={keyed(releaseFields)}
              submit="解除"
              values={f('hold-release')?.values}
              refusal={f('hold-release')?.refusal}
            />
          </>
        ) : null}

        <section aria-labelledby="story-h">
          <h2 id="story-h">流程纪实</h2>
          {!timeline.ok ? (
            <Refused what="流程纪实" refusal={timeline.refusal} />
          ) : (
            <table class="story">
              <thead>
                <tr>
                  <th>时间（北京）</th>
                  <th>谁</th>
                  <th>做了什么</th>
                  <th>内容</th>
                </tr>
              </thead>
              <tbody>
                {timeline.data.events.map((e: any) => (
                  <tr>
                    <td>{bj(e.at)}</td>
                    <td>
                      {e.actor}
                      {e.role ? `（${String(e.role).split(',').map(roleLabel).join('、')}）` : ''}
                    </td>
                    <td>
                      <code>{e.action}</code>
                      {e.subjectType && e.subjectType !== 'cycle' ? ` · ${e.subjectType} ${e.subjectId}` : ''}
                    </td>
                    <td>
                      <details>
                        <summary>{summarize(e)}</summary>
                        <DataView data={{ before: e.before, after: e.after, detail: e.detail }} />
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };

  app.get('/cycles/:id', (c) => renderCycle(c));
  app.post('/cycles/:id/input/:input', async (c) => {
    const id = c.req.param('id');
    const input = c.req.param('input');
    // An input no form posts to is no page (as a dossier's): 404, not "the stage moved on".
    if (input !== 'holds' && input !== 'hold-releases' && !STAGE_INPUT_PATHS.has(input)) return c.notFound();
    const form = await kit.form(c);
    const state = await kit.api(c).get(`/v1/cycles/${enc(id)}`);
    const fields =
      input === 'holds'
        ? holdFields
        : input === 'hold-releases'
          ? releaseFields
          : (() => {
              const sf = state.ok ? stageForm(state.data) : undefined;
              return sf?.path === input ? sf.fields : undefined;
            })();
    const formId = input === 'holds' ? 'hold' : input === 'hold-releases' ? 'hold-release' : 'stage-input';
    if (!fields)
      return renderCycle(c, {
        form: formId,
        values: form,
        refusal: {
          status: 409,
          code: 'WRONG_STAGE',
          message: '换届已不在等待此项录入的阶段，请刷新后再试',
          details: [],
        },
      });
    const answer = await kit.submit(c, `/v1/cycles/${enc(id)}/${input}`, fields, form);
    if (answer.ok) return c.redirect(`/console/cycles/${enc(id)}?notice=${enc('已提交')}`, 303);
    return renderCycle(c, { form: formId, values: form, refusal: answer.refusal });
  });

  // ---- the dossier (考察档案) of one candidate
  const checklistFields: Field[] = [
    ...Object.entries(INTERVIEW_CATEGORIES).map(([k, label]): Field => ({
      name: `interviews.${k}`,
      label: `必谈：${label}（人次，累加）`,
      type: 'number',
      optional: true,
    })),
    {
      name: 'homeVisit.done',
      label: '家访已完成',
      type: 'select',
      boolean: true,
      options: [
        ['', '（不录入）'],
        ['true', '是'],
        ['false', '否'],
      ],
      optional: true,
    },
    { name: 'homeVisit.note', label: '家访情况', optional: true },
    { name: 'reverseEvaluation.participants', label: '四德反向测评：参加人数', type: 'number', optional: true },
    { name: 'reverseEvaluation.negative', label: '四德反向测评：负面评价人数', type: 'number', optional: true },
    {
      name: 'reverseEvaluation.status',
      label: '四德反向测评：结论',
      type: 'select',
      options: [
        ['', '（不录入）'],
        ['clear', '无问题'],
        ['concern', '有疑虑'],
      ],
      optional: true,
    },
    ...Object.entries(MANDATORY_CHECKS).flatMap(([k, label]): Field[] => [
      {
        name: `checks.${k}.status`,
        label: `必核：${label}`,
        type: 'select',
        options: [
          ['', '（不录入）'],
          ['clear', '已核清'],
          ['concern', '有疑虑'],
          ['unclear', '未核清'],
        ],
        optional: true,
      },
      { name: `checks.${k}.note`, label: `必核：${label}说明`, optional: true },
    ]),
  ];
  const mattersFields: Field[] = [
    {
      name: 'items',
      label: '个人有关事项比对',
      type: 'list',
      required: true,
      hint: '本人报告和查核结果：数量填数字，有无填 是/否（true/false），其他填文字。政策所列关键事项（默认：配偶移居国（境）外、子女移居国（境）外、配偶子女经商办企业）须逐项比对，只填 是/否 或数字',
      columns: [
        {
          name: 'item',
          label: '事项',
          type: 'select',
          options: [['', '（选择事项）'], ...Object.entries(PERSONAL_MATTER_ITEMS)],
        },
        { name: 'declared', label: '本人报告', type: 'value' },
        { name: 'verified', label: '查核结果', type: 'value' },
        { name: 'deliberate', label: '故意隐瞒', type: 'checkbox' },
        { name: 'description', label: '说明', optional: true },
      ],
      blank: 4,
    },
  ];
  const dossierFields: Field[] = [
    {
      name: 'result',
      label: '考察结论',
      type: 'select',
      options: [
        ['passed', '合格（必清）'],
        ['stopped', '终止考察'],
      ],
    },
    { name: 'reason', label: '终止理由（终止时填写）', type: 'textarea', optional: true },
    {
      name: 'concerns',
      label: '合格但有疑虑的（如有，合格时填写）',
      type: 'list',
      optional: true,
      columns: [{ name: '', label: '疑虑' }],
      blank: 1,
    },
  ];
  const formsByPath: Record<string, [string, Field[]]> = {
    inspection: ['checklist', checklistFields],
    'personal-matters': ['matters', mattersFields],
    dossier: ['dossier', dossierFields],
  };

  const renderDossier = async (c: ConsoleContext, failed?: Failed) => {
    const user = c.get('user');
    const id = c.req.param('id')!;
    const pid = c.req.param('pid')!;
    const api = kit.api(c);
    const base = `/v1/cycles/${enc(id)}/candidates/${enc(pid)}`;
    const roles = user.roles.map((r) => r.split(':')[0]);
    const organizer = roles.includes('organizer');
    const [cand, matters] = await Promise.all([
      api.get(base),
      organizer ? api.get(`${base}/personal-matters`) : Promise.resolve(undefined),
    ]);
    if (!cand.ok)
      return c.html(
        <Layout title={`考察对象 ${pid}`} user={user}>
          <Refused what="考察对象" refusal={cand.refusal} />
        </Layout>,
        cand.refusal.status as 404,
      );
    const d = cand.data;
    const f = (name: string) => (failed?.form === name ? failed : undefined);
    const reviews: any[] = d.dossier?.reviews ?? [];
    const pm = d.dossier?.personalMatters;
    return c.html(
      <Layout title={`考察档案：${d.name}（${pid}）`} user={user} notice={c.req.query('notice')}>
        <p>
          <a href={`/console/cycles/${enc(id)}`}>← 返回换届</a> · 状态：{CANDIDATE_STATUS[d.status] ?? d.status}
          {d.waitingFor ? ` · ${d.waitingFor}` : ''}
          {kit.temporalLink(`candidate:${id}:${pid}`) ? (
            <>
              {' · '}
              <a href={kit.temporalLink(`candidate:${id}:${pid}`)}>在 Temporal UI 中查看</a>
            </>
          ) : null}
        </p>
        <section class="card" aria-labelledby="missing-h">
          <h2 id="missing-h">必清前尚缺</h2>
          {(d.missing ?? []).length === 0 ? (
            <p class="ok-text">无：可以结束考察。</p>
          ) : (
            <ul id="missing">
              {d.missing.map((m: string) => (
                <li>{m}</li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="reviews-h">
          <h2 id="reviews-h">联审意见</h2>
          <table>
            <thead>
              <tr>
                <th>部门</th>
                <th>意见</th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r: any) => (
                <tr>
                  <td>{DEPARTMENT_LABELS[r.department as keyof typeof DEPARTMENT_LABELS] ?? r.department}</td>
                  <td>
                    {statusLabel(r.status)}
                    {r.verdict ? ` · ${VERDICT_LABELS[r.verdict] ?? r.verdict}：${r.reason ?? ''}` : ''}
                    {r.answeredAt ? `（${bj(r.answeredAt)}）` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="pm-h">
          <h2 id="pm-h">个人有关事项比对结果</h2>
          {pm ? (
            <dl class="data" id="pm">
              <dt>结果</dt>
              <dd>{PM_OUTCOME[pm.outcome] ?? pm.outcome}</dd>
              <dt>比对时间</dt>
              <dd>{bj(pm.checkedAt)}</dd>
              <dt>不一致事项</dt>
              <dd>
                {pm.sealed ? (
                  <span id="pm-sealed">已封存，仅组织部门可见</span>
                ) : pm.discrepancies.length === 0 ? (
                  '无'
                ) : (
                  <ul>
                    {pm.discrepancies.map((x: any) => (
                      <li>
                        {PERSONAL_MATTER_ITEMS[x.item as keyof typeof PERSONAL_MATTER_ITEMS] ?? x.item}：
                        {PM_OUTCOME[x.kind] ?? x.kind}（{x.rule}）
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </dl>
          ) : (
            <p>尚未比对</p>
          )}
          {matters?.ok ? (
            <details>
              <summary>申报与核查明细（仅组织部门可见）</summary>
              <DataView data={matters.data} />
            </details>
          ) : null}
        </section>
        <section aria-labelledby="cl-h">
          <h2 id="cl-h">考察清单</h2>
          <DataView
            data={{
              interviews: d.dossier?.interviews,
              homeVisit: d.dossier?.homeVisit,
              reverseEvaluation: d.dossier?.reverseEvaluation,
              checks: d.dossier?.checks,
            }}
          />
        </section>
        {organizer && d.status === 'inspecting' ? (
          <>
            <Form
              id="checklist"
              action={`/console/cycles/${enc(id)}/candidates/${enc(pid)}/inspection`}
              title="录入考察清单（必谈、家访、四德反向测评、必核）"
              fields={keyed(checklistFields)}
              submit="保存清单"
              values={f('checklist')?.values}
              refusal={f('checklist')?.refusal}
            />
            <Form
              id="matters"
              action={`/console/cycles/${enc(id)}/candidates/${enc(pid)}/personal-matters`}
              title="个人有关事项查核比对"
              fields={keyed(mattersFields)}
              submit="提交比对"
              values={f('matters')?.values}
              refusal={f('matters')?.refusal}
            />
            <Form
              id="dossier"
              action={`/console/cycles/${enc(id)}/candidates/${enc(pid)}/dossier`}
              title="结束考察"
              fields={keyed(dossierFields)}
              submit="结束考察"
              values={f('dossier')?.values}
              refusal={f('dossier')?.refusal}
            />
          </>
        ) : null}
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/cycles/:id/candidates/:pid', (c) => renderDossier(c));
  app.post('/cycles/:id/candidates/:pid/:input', async (c) => {
    const { id, pid, input } = c.req.param();
    const spec = formsByPath[input];
    if (!spec) return c.notFound();
    const form = await kit.form(c);
    const answer = await kit.submit(c, `/v1/cycles/${enc(id)}/candidates/${enc(pid)}/${input}`, spec[1], form);
    if (answer.ok) return c.redirect(`/console/cycles/${enc(id)}/candidates/${enc(pid)}?notice=${enc('已保存')}`, 303);
    return renderDossier(c, { form: spec[0], values: form, refusal: answer.refusal });
  });
}

function summarize(e: any): string {
  const d = e.detail ?? e.after ?? {};
  const keys = Object.keys(d).slice(0, 4);
  return keys.length ? keys.map((k) => `${k}: ${short(d[k])}`).join('；') : '详情';
}
const short = (v: unknown) => {
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t && t.length > 40 ? `${t.slice(0, 40)}…` : (t ?? '');
};
