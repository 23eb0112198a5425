/** Shows an API answer as it is, nested (for parts without a page of their own). */
const LABELS: Record<string, string> = {
  status: '状态',
  stage: '阶段',
  name: '名称',
  reason: '理由',
  deadline: '期限',
  byStage: '各阶段',
  total: '合计',
  missing: '尚缺',
  verdict: '意见',
  department: '部门',
  checklist: '清单',
  findings: '发现问题',
  interviews: '必谈',
  homeVisit: '家访',
  reverseEvaluation: '四德反向测评',
  checks: '必核',
  reviews: '联审',
  personalMatters: '个人有关事项',
};
const isInstantKey = (k: string) => /(At|deadline|EndsAt)$/.test(k);

export function DataView(props: { data: unknown; depth?: number }): any {
  const d = props.data;
  const depth = props.depth ?? 0;
  if (d === null || d === undefined) return <span>—</span>;
  if (Array.isArray(d)) {
    if (d.length === 0) return <span>（无）</span>;
    return (
      <ol>
        {d.map((x) => (
          <li>
            <DataView data={x} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof d === 'object') {
    if (depth > 5) return <code>{JSON.stringify(d)}</code>;
    return (
      <dl class="data">
        {Object.entries(d as Record<string, unknown>).map(([k, v]) => (
          <>
            <dt>{LABELS[k] ? `${LABELS[k]}（${k}）` : k}</dt>
            <dd>
              {isInstantKey(k) && (typeof v === 'number' || typeof v === 'string') ? (
                instant(v)
              ) : (
                <DataView data={v} depth={depth + 1} />
              )}
            </dd>
          </>
        ))}
      </dl>
    );
  }
  if (typeof d === 'boolean') return <span>{d ? '是' : '否'}</span>;
  return <span>{String(d)}</span>;
}

// Control, bidirectional and other invisible format characters, but line breaks and tabs; also every
// default-ignorable code point (grapheme joiner, variation selectors, Hangul fillers, Khmer's invisible
// vowels) and the braille blank, which draw nothing either (found from outside).
/* eslint-disable no-control-regex -- the control characters are what it finds */
const UNSEEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\u2800]/gu;
/* eslint-enable no-control-regex */
/**
 * Stored text as a reader should see it: each invisible character named (⟨U+202E⟩) instead of acting.
 * Input rules refuse them now, but text stored before a rule existed (a channel reference with a
 * right-to-left override, found from outside) is still shown, and must not turn the page around.
 * Every console page passes through it once, whole (index.tsx), so no component calls it itself.
 */
export function visibly(text: string): string {
  return text.replace(UNSEEN, (ch) => `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

const FMT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
function instant(v: number | string): string {
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) && (typeof v === 'number' || /T/.test(v)) ? `${FMT.format(t)}（北京时间）` : String(v);
}
