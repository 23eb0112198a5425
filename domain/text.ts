/**
 * Text PostgreSQL cannot store: U+0000 (text columns and jsonb refuse it) and lone UTF-16
 * surrogates (not valid UTF-8). Checked once for every request, on the parsed JSON body and the query
 * (api/app.ts), so no route can forget it: a field with either answers 400 naming its path.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorableRule = 'must not contain U+0000 or a lone surrogate';

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** Paths (as `a.0.b`) of every string or key in `value` that Postgres could not store. */
export function unstorableTextPaths(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    if (!isStorableText(value)) out.push(path.join('.') || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableTextPaths(v, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!isStorableText(k)) out.push([...path, k].join('.'));
      else unstorableTextPaths(v, [...path, k], out);
    }
  }
  return out;
}
