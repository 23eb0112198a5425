/** Shared field schemas: one definition of what a valid id, name or count is. */
import { z } from 'zod';
import { once } from './once.js';
import { JURISDICTION_LEVELS } from './stages.js';

/**
 * Names every JavaScript object answers to (Object.prototype's): an id or name used as a key of the
 * state must not be one, or the state drops or misreads it (found from outside: a position
 * `__proto__` lost its ranking, a monitoring point `__proto__` was never counted).
 */
export const OBJECT_KEY_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const NOT_AN_OBJECT_KEY = `(?!(?:${OBJECT_KEY_NAMES.join('|')})$)`;
export const OBJECT_KEY_RULE = `not a name every JavaScript object has (${OBJECT_KEY_NAMES.join(', ')})`;
/** An id pattern: these characters, this long, and none of the names above. */
export const idPattern = (length: number) => new RegExp(`^${NOT_AN_OBJECT_KEY}[A-Za-z0-9_-]{1,${length}}$`);

/** Opaque ids only: a person's name must never end up in a workflow id or search attribute. */
export const ID = {
  person: {
    pattern: idPattern(64),
    rule: 'an opaque id: letters, digits, _ or -, at most 64, and not __proto__, constructor or another name every object has',
  },
  jurisdiction: {
    pattern: idPattern(40),
    rule: 'letters, digits, _ or -, at most 40, and not __proto__, constructor or another name every object has',
  },
} as const;
// Each schema gets its own copy of a shared pattern: zod resets a pattern's lastIndex at every check,
// and `ID` is frozen where domain/ is shared (domain/once.ts).
export const personIdSchema = once(() => z.string().regex(new RegExp(ID.person.pattern), ID.person.rule));
export const jurisdictionIdSchema = once(() =>
  z.string().regex(new RegExp(ID.jurisdiction.pattern), ID.jurisdiction.rule),
);
export const chineseNameSchema = once(() => z.string().trim().min(1).max(100));
/** A name the state keys something by (a monitoring point). */
export const keyNameSchema = once(() =>
  chineseNameSchema().refine((s) => !OBJECT_KEY_NAMES.includes(s), OBJECT_KEY_RULE),
);
export const reasonSchema = once(() => z.string().trim().min(1, 'a reason is required').max(2000));
export const count = once(() => z.number().int().min(0).max(10_000_000));
// A real calendar day: 2026-02-30 or 2026-13-45 are refused here, not by Postgres later.
// Nor a year PostgreSQL or the calendar cannot hold (0000 is no year at all): nothing here predates 1900.
export const EARLIEST_DATE = '1900-01-01';
export const realDate = (message = 'a real calendar date YYYY-MM-DD') =>
  isoDate(message).refine((d) => d >= EARLIEST_DATE, `${message}, from ${EARLIEST_DATE} on`);
export const isoDateSchema = once(() => realDate());
// Year 0000 is no term; none predates the earliest date anything here may carry.
export const termSchema = once(() =>
  z
    .string()
    .regex(/^\d{4}$/, 'a four-digit year, e.g. 2026')
    .refine((t) => t >= EARLIEST_DATE.slice(0, 4), `a year from ${EARLIEST_DATE.slice(0, 4)} on`),
);

/**
 * zod's `z.iso.date(message)` with a pattern of its own: zod's default is one RegExp shared by every
 * date schema, frozen where domain/ is shared, and zod resets its lastIndex at every check.
 */
export function isoDate(message: string) {
  // `pattern` is left out of the parameters' type, but z.iso.date passes it on to the check.
  return z.iso.date({ error: message, pattern: new RegExp(z.regexes.date) } as z.core.$ZodISODateParams);
}

// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const VISIBLE = /[^\s\p{Cf}\p{Z}]/u;
export const placeNameRule = 'visible text: no control or bidirectional-override characters, not only invisible ones';
/**
 * A place's name, shown beside its id on every page and in every list: one line of visible text. A
 * right-to-left override turned `（RTH1）` after a name around, and a zero-width name showed nothing
 * (found from outside). Names taken by workflows keep chineseNameSchema, which replays of their
 * histories parse again.
 */
export const placeNameSchema = once(() => chineseNameSchema().refine((n) => isVisibleLine(n), placeNameRule));
/** One line of visible text (the place names' rule), for other text a page shows as it is. */
export const isVisibleLine = (n: string) => !CONTROL_OR_BIDI.test(n) && VISIBLE.test(n);

export const jurisdictionSchema = once(() =>
  z.strictObject({
    id: jurisdictionIdSchema(),
    name: placeNameSchema(),
    level: z.enum(JURISDICTION_LEVELS),
    parentId: jurisdictionIdSchema().nullable(),
  }),
);
export type Jurisdiction = z.infer<ReturnType<typeof jurisdictionSchema>>;

/** Who did it: set by the API from the verified token, never taken from a request body. */
export interface Actor {
  id: string;
  role: string;
  requestId?: string;
  /** The jurisdiction the caller acts from (its token's scope): a hold raised by hand keeps it. */
  scope?: string;
}
