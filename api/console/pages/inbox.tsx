/** 联审待办: a department's open tasks, earliest deadline first, and the verdict form on each. */
import type { Hono } from 'hono';
import { DEPARTMENT_LABELS } from '../../../domain/policy.js';
import { newKey } from '../client.js';
import { Form, type Field } from '../forms.js';
import type { ConsoleContext, ConsoleEnv, Failed, PageKit } from '../kit.js';
import { Layout, Refused, bj, statusLabel } from '../layout.js';

const depLabel = (d: string) => DEPARTMENT_LABELS[d as keyof typeof DEPARTMENT_LABELS] ?? d;
const verdictFields = (department: string): Field[] => [
  { name: 'department', label: '部门', type: 'hidden', value: department },
  {
    name: 'verdict',
    label: '意见',
    type: 'select',
    options: [
      ['clear', '未发现问题'],
      ['concern', '有疑虑'],
      ['disqualifying', '不宜提名（否决）'],
    ],
  },
  { name: 'reason', label: '理由', type: 'textarea', required: true },
  { name: '_key', label: '', type: 'hidden', value: newKey() },
];

export function inboxPages(app: Hono<ConsoleEnv>, kit: PageKit) {
  const render = async (c: ConsoleContext, failed?: Failed & { task: string }) => {
    const user = c.get('user');
    const all = c.req.query('status') === 'all';
    const after = c.req.query('after');
    const limit = c.req.query('limit'); // the API checks both; a bad one shows as its refusal
    const query = new URLSearchParams({
      status: all ? 'all' : 'open',
      ...(after ? { after } : {}),
      ...(limit ? { limit } : {}),
    });
    const inbox = await kit.api(c).get(`/v1/reviews/inbox?${query}`);
    const tasks: any[] = inbox.ok ? inbox.data.tasks : [];
    const next: string | null = inbox.ok ? inbox.data.next : null;
    return c.html(
      <Layout title="联审待办" user={user} notice={c.req.query('notice')}>
        {!inbox.ok ? <Refused what="待办" refusal={inbox.refusal} /> : null}
        <p>
          {all ? <a href="/console/inbox">只看未办</a> : <a href="/console/inbox?status=all">查看全部（含已答复）</a>}
          {' · '}
          {after ? '本页' : next ? '第一页' : '共'} {tasks.length} 件，按期限先后排列。
          {after ? <a href={`/console/inbox?status=${all ? 'all' : 'open'}`}> 回到第一页</a> : null}
        </p>
        <table id="tasks">
          <thead>
            <tr>
              <th>考察对象</th>
              <th>区划 / 换届</th>
              <th>部门</th>
              <th>状态</th>
              <th>催办时间</th>
              <th>期限</th>
              <th>意见</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr data-task={`${t.cycleId}/${t.personId}/${t.department}`}>
                <td>
                  {t.candidateName}（{t.personId}）
                </td>
                <td>
                  {t.jurisdictionName} · {t.cycleId}
                </td>
                <td>{depLabel(t.department)}</td>
                <td>
                  {statusLabel(t.status)}
                  {t.overdue ? <span class="tag overdue">逾期</span> : null}
                  {t.chasedAt ? <span class="tag hold">已催办</span> : null}
                  {t.escalatedAt ? <span class="tag overdue">已升级</span> : null}
                </td>
                <td>{bj(t.chaseAt)}</td>
                <td>{bj(t.deadline)}</td>
                <td>{t.verdict ? `${t.verdict}（${bj(t.answeredAt)}）` : '未答复'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {next ? (
          <p>
            <a
              id="next-page"
              href={`/console/inbox?${new URLSearchParams({ status: all ? 'all' : 'open', after: next, ...(limit ? { limit } : {}) })}`}
            >
              下一页
            </a>
          </p>
        ) : null}
        {tasks
          .filter((t) => !t.verdict)
          .map((t) => {
            const task = `${t.cycleId}/${t.personId}/${t.department}`;
            const mine = failed?.task === task ? failed : undefined;
            return (
              <Form
                id={`verdict-${t.personId}-${t.department}`}
                action={`/console/inbox/${encodeURIComponent(t.cycleId)}/${encodeURIComponent(t.personId)}/verdict`}
                title={`${depLabel(t.department)}对 ${t.candidateName}（${t.personId}）的联审意见`}
                fields={verdictFields(t.department)}
                submit="提交意见"
                values={mine ? { ...mine.values, _key: newKey() } : undefined}
                refusal={mine?.refusal}
              />
            );
          })}
      </Layout>,
      failed ? (failed.refusal.status as 400) : 200,
    );
  };
  app.get('/inbox', (c) => render(c));
  app.post('/inbox/:cycleId/:personId/verdict', async (c) => {
    const { cycleId, personId } = c.req.param();
    const form = await kit.form(c);
    const answer = await kit.submit(
      c,
      `/v1/cycles/${encodeURIComponent(cycleId)}/candidates/${encodeURIComponent(personId)}/verdicts`,
      verdictFields(form.department ?? ''),
      form,
    );
    if (answer.ok) return c.redirect(`/console/inbox?notice=${encodeURIComponent(`已提交 ${personId} 的意见`)}`, 303);
    return render(c, {
      task: `${cycleId}/${personId}/${form.department}`,
      form: 'verdict',
      values: form,
      refusal: answer.refusal,
    });
  });
}
