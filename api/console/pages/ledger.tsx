/**
 * 一天一呈报: the day's figures for the scope, a chart per measure over the last days, and the same
 * figures as an Excel workbook and as CSV — each number read from GET /v1/ledger, none computed here.
 */
import ExcelJS from 'exceljs';
import type { Hono } from 'hono';
import type { ConsoleContext, ConsoleEnv, PageKit } from '../kit.js';
import { Layout, Refused } from '../layout.js';

/** Every number of a ledger part, by its path (`reviews.audit.answered`). */
export function measures(part: unknown, prefix = ''): [string, number][] {
  if (typeof part === 'number') return [[prefix, part]];
  if (!part || typeof part !== 'object' || Array.isArray(part)) return [];
  return Object.entries(part as Record<string, unknown>).flatMap(([k, v]) =>
    measures(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** The rows both downloads carry: measure, the scope's own figure, the whole subtree's. */
export function ledgerRows(ledger: any): [string, number | null, number | null][] {
  const own = new Map(measures(ledger.own));
  const subtree = new Map(measures(ledger.subtree));
  const names = [...new Set([...own.keys(), ...subtree.keys()])];
  return names.map((n) => [n, own.get(n) ?? null, subtree.get(n) ?? null]);
}

const DAYS = 7;
const beijingDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

export function ledgerPages(app: Hono<ConsoleEnv>, kit: PageKit) {
  const enc = encodeURIComponent;
  const query = (c: ConsoleContext) => {
    const scope = c.req.query('scope')?.trim() || c.get('user').scope;
    const date = c.req.query('date')?.trim();
    return { scope, date, qs: `scope=${enc(scope)}${date ? `&date=${enc(date)}` : ''}` };
  };

  app.get('/ledger', async (c) => {
    const user = c.get('user');
    const q = query(c);
    const api = kit.api(c);
    const today = await api.get(`/v1/ledger?${q.qs}`);
    const end = today.ok ? Date.parse(`${today.data.day}T12:00:00+08:00`) : Date.now();
    const days = Array.from({ length: DAYS }, (_, i) => beijingDay(end - (DAYS - 1 - i) * 86_400_000));
    const history = await Promise.all(days.map((d) => api.get(`/v1/ledger?scope=${enc(q.scope)}&date=${d}`)));
    const series = new Map<string, (number | null)[]>();
    history.forEach((h, i) => {
      if (!h.ok) return;
      for (const [name, v] of measures(h.data.subtree)) {
        const row = series.get(name) ?? Array<number | null>(DAYS).fill(null);
        row[i] = v;
        series.set(name, row);
      }
    });
    return c.html(
      <Layout title="一天一呈报" user={user}>
        <form method="get" action="/console/ledger" class="card">
          <div class="field">
            <label for="ledger-scope">范围（区划代码）</label>
            <input id="ledger-scope" name="scope" value={q.scope} />
          </div>
          <div class="field">
            <label for="ledger-date">日期（北京时间，默认今天）</label>
            <input id="ledger-date" name="date" type="date" value={q.date ?? ''} />
          </div>
          <button type="submit">查看</button>
        </form>
        {!today.ok ? (
          <Refused what="台账" refusal={today.refusal} />
        ) : (
          <>
            <p>
              {today.data.day}（{today.data.source === 'snapshot' ? '当日快照' : '实时计算'}） ·{' '}
              <a href={`/console/ledger.xlsx?${q.qs}`} download>
                下载 Excel
              </a>{' '}
              ·{' '}
              <a href={`/console/ledger.csv?${q.qs}`} download>
                下载 CSV
              </a>
            </p>
            <table id="ledger">
              <thead>
                <tr>
                  <th>指标</th>
                  <th>本级</th>
                  <th>含下级</th>
                  <th>近 {DAYS} 天（含下级）</th>
                </tr>
              </thead>
              <tbody>
                {ledgerRows(today.data).map(([name, own, sub]) => (
                  <tr>
                    <td>
                      <code>{name}</code>
                    </td>
                    <td>{own ?? '—'}</td>
                    <td>{sub ?? '—'}</td>
                    <td>
                      <Spark name={name} days={days} values={series.get(name) ?? []} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Layout>,
    );
  });

  app.get('/ledger.csv', async (c) => {
    const q = query(c);
    const ledger = await kit.api(c).get(`/v1/ledger?${q.qs}`);
    if (!ledger.ok) return c.text(ledger.refusal.message, ledger.refusal.status as 400);
    const cell = (v: unknown) =>
      v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
    const lines = [['指标', '本级', '含下级'], ...ledgerRows(ledger.data)].map((r) => r.map(cell).join(','));
    // A BOM so Excel opens the Chinese header as UTF-8.
    return c.body(`\uFEFF${lines.join('\r\n')}\r\n`, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="ledger-${ledger.data.scope}-${ledger.data.day}.csv"`,
    });
  });

  app.get('/ledger.xlsx', async (c) => {
    const q = query(c);
    const ledger = await kit.api(c).get(`/v1/ledger?${q.qs}`);
    if (!ledger.ok) return c.text(ledger.refusal.message, ledger.refusal.status as 400);
    const wb = new ExcelJS.Workbook();
    wb.creator = '换届工作平台';
    const ws = wb.addWorksheet('一天一呈报');
    ws.addRow(['范围', ledger.data.scope, '日期', ledger.data.day]);
    ws.addRow(['指标', '本级', '含下级']);
    for (const row of ledgerRows(ledger.data)) ws.addRow(row);
    ws.getColumn(1).width = 40;
    const buf = await wb.xlsx.writeBuffer();
    return c.body(new Uint8Array(buf), 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="ledger-${ledger.data.scope}-${ledger.data.day}.xlsx"`,
    });
  });
}

/** A small line over the days, with the figures as its text alternative. */
function Spark(props: { name: string; days: string[]; values: (number | null)[] }) {
  const w = 160;
  const h = 40;
  const nums = props.values.filter((v): v is number => v !== null);
  const max = Math.max(1, ...nums);
  const pts = props.values
    .map((v, i) =>
      v === null ? null : `${(i / Math.max(1, props.values.length - 1)) * (w - 4) + 2},${h - 2 - (v / max) * (h - 4)}`,
    )
    .filter(Boolean)
    .join(' ');
  const desc = props.days.map((d, i) => `${d.slice(5)}：${props.values[i] ?? '—'}`).join('，');
  return (
    <svg
      class="chart"
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`${props.name} 近几天：${desc}`}
    >
      <title>{desc}</title>
      <polyline points={pts} fill="none" stroke="#9b1c1c" stroke-width="2" />
    </svg>
  );
}
