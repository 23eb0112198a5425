/**
 * Text PostgreSQL cannot store: U+0000 (text columns and jsonb refuse it) and lone UTF-16
 * surrogates (not valid UTF-8). Checked once for every request, on the parsed JSON body and the query
 * (api/app.ts), so no route can forget it: a field with either answers 400 naming its path.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorableRule = 'must not contain U+0000 or a lone surrogate';

/** No request of Huanjie's nests deeply; a deep one would only exhaust the stack of whatever walks it. */
export const MAX_JSON_DEPTH = 32;
export const tooDeepRule = `nested at most ${MAX_JSON_DEPTH} levels deep`;

/** Whether `value` nests objects or arrays deeper than `max` levels (walked without recursion). */
export function nestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [v, level] = next;
    if (v === null || typeof v !== 'object') continue;
    if (level > max) return true;
    for (const child of Object.values(v)) pending.push([child, level + 1]);
  }
  return false;
}

/** No Huanjie object has more than a few dozen fields; validating a huge one costs every caller (found from outside). */
export const MAX_OBJECT_FIELDS = 1000;
export const tooWideRule = `at most ${MAX_OBJECT_FIELDS} fields in one object`;

/** Whether some object in `value` has more than `max` fields (arrays are bounded by the body's size alone). */
export function widerThan(value: unknown, max = MAX_OBJECT_FIELDS): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && Object.keys(v).length > max) return true;
    for (const child of Object.values(v)) pending.push(child);
  }
  return false;
}

/** The rule a parsed JSON body breaks by its shape alone (too deep, too wide), if any. */
export function bodyShapeProblem(body: unknown): string | undefined {
  if (nestedDeeperThan(body)) return tooDeepRule;
  if (widerThan(body)) return tooWideRule;
  return undefined;
}

export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** Paths (as `a.0.b`) of every string or key in `value` that Postgres could not store. */
export function unstorableTextPaths(value: unknown): string[] {
  return textPaths(value, (s) => !isStorableText(s), true);
}

// Characters that draw nothing: format characters (zero-width space, word joiner…), combining marks on
// nothing, and the letters and symbols that are blank (the Hangul fillers, the braille blank).
const DRAWS_SOMETHING = /[\p{L}\p{N}\p{P}\p{S}]/u;
// Symbols that draw nothing or only a placeholder: the musical null notehead, the object replacement
// character (found from outside: each, alone, was taken as an abort's reason and a place's name).
const BLANK_LOOKING = /[\u115f\u1160\u3164\uffa0\u2800\ufffc\u{1d159}]/gu;
const INVISIBLE = /[\p{Cf}\p{M}\p{Co}\p{Cn}\u115f\u1160\u3164\uffa0\u2800\ufffc\u{1d159}]/u;

export const invisibleOnlyRule =
  'visible text: not only invisible characters (zero-width, joiners, fillers, private-use or unassigned)';

// Control characters have no place in any text here but tab and line breaks (a reason may have lines).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export const controlRule = 'visible text: no control characters but tab and line breaks';

/** Whether `s` holds a control character other than tab, line feed or carriage return (U+0001, DEL, NEL…). */
export function holdsControl(s: string): boolean {
  return CONTROL.test(s);
}

/** Paths of every string in `value` holding such a control character (U+0000 is the unstorable rule's). */
export function controlTextPaths(value: unknown): string[] {
  return textPaths(value, (s) => isStorableText(s) && holdsControl(s), false);
}

/**
 * Whether `s` holds invisible characters and nothing that draws: a text that shows nothing where it is
 * read. Whitespace alone is left to each field's rule (most trim it and ask for something). Found from
 * outside: a reason of one zero-width space passed as the reason for going below the 差额 ratio.
 */
export function showsOnlyInvisible(s: string): boolean {
  return INVISIBLE.test(s) && !DRAWS_SOMETHING.test(s.replace(BLANK_LOOKING, ''));
}

// Unicode's default-ignorable code points (joiners, selectors, the grapheme joiner, Hangul fillers, Khmer's
// inherent vowels…) but Mongolian's free variation selectors, which its names use.
const IGNORABLE = /(?![\u180b-\u180d\u180f])\p{Default_Ignorable_Code_Point}/u;
// Ideographs that read as others: compatibility ideographs (U+F90A reads as 金) and radicals (U+2F00 as 一).
const READS_AS_ANOTHER_IDEOGRAPH = /[\u2e80-\u2fdf\uf900-\ufaff\u{2f800}-\u{2fa1f}]/u;

/**
 * Whether a name `s` carries what makes it read as another name: a character drawn as nothing after a
 * letter (张三 and a variation selector or a grapheme joiner read as 张三 on the record, found from outside)
 * or an ideograph that reads as another.
 */
export function readsAsAnotherName(s: string): boolean {
  return IGNORABLE.test(s) || READS_AS_ANOTHER_IDEOGRAPH.test(s);
}

/** Whether `s` holds a character that draws nothing though it is a letter or a symbol (a Hangul filler…). */
export function holdsBlankLooking(s: string): boolean {
  return new RegExp(BLANK_LOOKING.source, 'u').test(s);
}

/** Paths of every string in `value` that shows nothing but invisible characters. */
export function invisibleOnlyTextPaths(value: unknown): string[] {
  return textPaths(value, showsOnlyInvisible, false);
}

function textPaths(
  value: unknown,
  bad: (s: string) => boolean,
  keysToo: boolean,
  path: string[] = [],
  out: string[] = [],
): string[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    if (bad(value)) out.push(path.join('.') || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => textPaths(v, bad, keysToo, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (keysToo && bad(k)) out.push([...path, k].join('.'));
      else textPaths(v, bad, keysToo, [...path, k], out);
    }
  }
  return out;
}
