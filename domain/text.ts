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

// Characters that draw nothing: format characters (zero-width space, word joiner…), combining marks on
// nothing, and the letters and symbols that are blank (the Hangul fillers, the braille blank).
const DRAWS_SOMETHING = /[\p{L}\p{N}\p{P}\p{S}]/u;
// Symbols that draw nothing or only a placeholder: the musical null notehead, the object replacement
// character (found from outside: each, alone, was taken as an abort's reason and a place's name).
const BLANK_LOOKING = /[\u115f\u1160\u3164\uffa0\u2800\ufffc\u{1d159}]/u;
const EVERY_BLANK_LOOKING = new RegExp(BLANK_LOOKING.source, 'gu');
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

/**
 * Whether `s` holds invisible characters and nothing that draws: a text that shows nothing where it is
 * read. Whitespace alone is left to each field's rule (most trim it and ask for something). Found from
 * outside: a reason of one zero-width space passed as the reason for going below the 差额 ratio.
 */
export function showsOnlyInvisible(s: string): boolean {
  return INVISIBLE.test(s) && !DRAWS_SOMETHING.test(s.replace(EVERY_BLANK_LOOKING, ''));
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
  return BLANK_LOOKING.test(s);
}

/** Paths of every string in `value` that shows nothing but invisible characters. */
export function invisibleOnlyTextPaths(value: unknown): string[] {
  return textIssues(value)
    .filter((i) => i.rule === invisibleOnlyRule)
    .map((i) => i.path);
}

/**
 * The first rule of text `s` breaks, if any: what PostgreSQL cannot store, then a control character, then
 * nothing but invisible characters. Every string of every request is checked so (api/app.ts).
 */
export function textRuleBroken(s: string): string | undefined {
  if (!isStorableText(s)) return unstorableRule;
  if (holdsControl(s)) return controlRule;
  if (showsOnlyInvisible(s)) return invisibleOnlyRule;
  return undefined;
}

/**
 * Each string of `value` (as `a.0.b`) that breaks a rule of text, with the rule; a key only for what
 * PostgreSQL cannot store (a body's keys are checked by each route's schema). At most 20.
 */
export function textIssues(
  value: unknown,
  path: string[] = [],
  out: { path: string; rule: string }[] = [],
): { path: string; rule: string }[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    const rule = textRuleBroken(value);
    if (rule) out.push({ path: path.join('.') || '(body)', rule });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => textIssues(v, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!isStorableText(k)) out.push({ path: [...path, k].join('.'), rule: unstorableRule });
      else textIssues(v, [...path, k], out);
    }
  }
  return out;
}
