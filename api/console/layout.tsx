/** The console's frame: menu by role, Beijing dates, the nine-stage progress bar. Display only. */
import type { Child } from 'hono/jsx';
import { STAGES, STAGE_LABELS } from '../../domain/stages.js';
import type { SessionUser } from './session.js';

export const ROLE_LABELS: Record<string, string> = {
  organizer: '组织部门',
  supervisor: '督查组',
  intake: '举报受理',
  investigator: '查核单位',
  viewer: '查看',
  operator: '运维',
};
export const roleLabel = (r: string) =>
  r.startsWith('reviewer:') ? `联审部门（${r.slice('reviewer:'.length)}）` : (ROLE_LABELS[r] ?? r);

/** Which pages a role's menu shows (the API still decides what each page may read). */
export const PAGES = [
  { href: '/console', label: '总览', roles: ['organizer', 'viewer', 'supervisor', 'investigator'] },
  { href: '/console/inbox', label: '联审待办', roles: ['reviewer'] },
  { href: '/console/reports', label: '举报', roles: ['intake', 'investigator', 'organizer', 'supervisor', 'viewer'] },
  { href: '/console/risks', label: '风险台账', roles: ['organizer', 'supervisor', 'viewer'] },
  {
    href: '/console/ledger',
    label: '一天一呈报',
    roles: ['organizer', 'viewer', 'supervisor', 'intake', 'investigator', 'reviewer'],
  },
] as const;

const baseRoles = (u: SessionUser) => u.roles.map((r) => r.split(':')[0]!);

const BEIJING = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
/** An instant (ISO text or epoch ms) on a Beijing clock: 2026/09/29 10:15. */
export function bj(at: unknown): string {
  if (at === null || at === undefined || at === '') return '—';
  const d = new Date(typeof at === 'number' ? at : String(at));
  return Number.isNaN(d.getTime()) ? String(at) : `${BEIJING.format(d)}（北京时间）`;
}

export function Layout(props: {
  title: string;
  user?: SessionUser | undefined;
  children?: Child;
  notice?: string | undefined;
}) {
  const roles = props.user ? baseRoles(props.user) : [];
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* The API's Referrer-Policy (no-referrer) would send "Origin: null" with every form; the
            console's same-origin check needs the real origin, and nothing leaves for other sites. */}
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · 换届工作平台`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <link rel="icon" href="data:," />
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          跳到正文
        </a>
        <header>
          <strong>换届工作平台</strong>
          {props.user ? (
            <nav aria-label="主菜单">
              {PAGES.filter((p) => p.roles.some((r) => roles.includes(r))).map((p) => (
                <a href={p.href}>{p.label}</a>
              ))}
              <span class="who">
                {props.user.sub} · {props.user.roles.map(roleLabel).join('、')} · 范围 {props.user.scope}
              </span>
              <form method="post" action="/console/signout" class="inline">
                <button type="submit">退出</button>
              </form>
            </nav>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The nine stages as a bar: done, current, to come. */
export function StageBar(props: { stage: string; status?: string }) {
  const at = STAGES.indexOf(props.stage as (typeof STAGES)[number]);
  const label = STAGE_LABELS[props.stage as (typeof STAGES)[number]] ?? props.stage;
  return (
    <div
      class="stages"
      role="img"
      aria-label={`阶段 ${at + 1}/${STAGES.length}：${label}${props.status === 'aborted' ? '（已终止）' : ''}`}
    >
      {STAGES.map((s, i) => (
        <span
          class={i < at || props.stage === 'closed' ? 'done' : i === at ? 'current' : 'todo'}
          title={STAGE_LABELS[s]}
        >
          {STAGE_LABELS[s]}
        </span>
      ))}
    </div>
  );
}

export const stageLabel = (s: unknown) => STAGE_LABELS[s as (typeof STAGES)[number]] ?? String(s ?? '—');

export const STATUS_LABELS: Record<string, string> = {
  running: '进行中',
  suspended: '已暂停',
  closed: '已完成',
  aborted: '已终止',
  open: '待办',
  chased: '已催办',
  escalated: '已升级督办',
  answered: '已答复',
};
export const statusLabel = (s: unknown) => STATUS_LABELS[String(s)] ?? String(s ?? '—');

export function Refused(props: { what: string; refusal: { status: number; message: string } }) {
  return (
    <p class="refusal" role="alert">
      {props.what}：{props.refusal.message}（{props.refusal.status}）
    </p>
  );
}

export const CSS = `
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4;line-height:1.5}
header{background:#9b1c1c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a{color:#fff}
header .who{opacity:.9;font-size:.9rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.25rem}
main{padding:1rem;max-width:1200px}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #1f6feb;outline-offset:1px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem;margin:0 0 1rem}
.field{display:flex;flex-direction:column;margin:.5rem 0;max-width:40rem}
.field label{font-weight:600}
.field input,.field select,.field textarea{font:inherit;padding:.3rem}
.field textarea{font-family:ui-monospace,monospace}
.field.invalid input,.field.invalid select,.field.invalid textarea{border:2px solid #b00020}
.field-error,.refusal{color:#b00020}
.refusal{background:#fdecea;padding:.5rem;border-radius:4px}
.notice{background:#e6f4ea;padding:.5rem;border-radius:4px}
.hint{color:#555}
button{font:inherit;padding:.3rem .8rem;cursor:pointer}
form.inline{display:inline}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.stages{display:flex;gap:2px;min-width:24rem}
.stages span{flex:1;font-size:.7rem;padding:.1rem;text-align:center;white-space:nowrap;overflow:hidden}
.stages .done{background:#2e7d32;color:#fff}.stages .current{background:#f9a825;color:#000;font-weight:700}.stages .todo{background:#e0e0e0;color:#555}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.8rem;margin-left:.25rem}
.overdue{background:#b00020;color:#fff}.hold{background:#ef6c00;color:#fff}.ok{background:#2e7d32;color:#fff}
.tree ul{list-style:none;padding-left:1.25rem}
.story li{margin:.25rem 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
fieldset.list{display:block;border:1px solid #ccc;border-radius:4px;max-width:none}
fieldset.list button{white-space:nowrap;margin-top:.3rem}
fieldset.list legend{font-weight:600}
table.rows{width:auto}table.rows td{padding:.2rem}table.rows input,table.rows select{font:inherit;padding:.2rem;max-width:14rem}
table.rows td.invalid input,table.rows td.invalid select{border:2px solid #b00020}
.chart{margin:.5rem 1rem .5rem 0;display:inline-block;background:#fff;border:1px solid #ddd}
`;
