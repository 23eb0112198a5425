/**
 * Who a caller is: the claims of a verified token (`sub`, `roles`, `scope`) and the settings
 * tokens are checked against. A leaf module, so the request context and the middleware that fill or
 * read it import it without importing each other.
 */
import { remove as removeConfusables } from 'confusables';
import { z } from 'zod';
import { DEPARTMENTS } from '../domain/policy.js';
import { SYSTEM } from '../domain/events.js';
import { jurisdictionIdSchema } from '../domain/eager/schemas.js';
import { holdsBlankLooking, readsAsAnotherName } from '../domain/text.js';

const roleSchema = z.union([
  z.enum(['organizer', 'supervisor', 'intake', 'investigator', 'viewer', 'operator']),
  z.templateLiteral(['reviewer:', z.enum(DEPARTMENTS)]),
]);
/** A word with an ASCII letter and a letter of another alphabet, or a Latin look-alike (IPA, small capitals). */
const LOOK_ALIKE_WORD =
  /(?=[\p{L}\p{M}]*[A-Za-z])(?=[\p{L}\p{M}]*(?:[^\P{L}\p{Script=Latin}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\u0250-\u02AF\u1D00-\u1DBF\uA720-\uA7FF]))[\p{L}\p{M}]+/u;

/**
 * The actor the codec door records for the Temporal UI on this machine (api/codec.ts): `temporal-ui
 * <origin>`. No token's subject may read as it (found from outside: a token named so acted under it).
 */
export const LOCAL_UI_ACTOR = 'temporal-ui';
export const localUiActorId = (origin: string) => `${LOCAL_UI_ACTOR} ${origin}`;

/**
 * The letters a subject reads as, for comparing it with the names reserved for the system's own actors —
 * a skeleton in the manner of Unicode's confusable detection (UTS #39), enough for those names and
 * deciding nothing else: compatibility forms as what they stand for (full-width ｓｙｓｔｅｍ), marks dropped;
 * letters of any script drawn like Latin ones as those (the `confusables` package's table, upper and lower
 * case: Cyrillic ЅҮЅТЕМ, Greek, Lisu ꓢꓬꓢꓔꓰꓟ, Cherokee, small capitals); rn as m, and I, l, i, 1 and | as
 * one letter; digits and signs drawn like letters (0, 3, 4, 5, 7, $, @) as those; and nothing but letters
 * and digits kept — no space, dash, dot or bracket sets a name apart (`sys tem`, `(system)`, `Temporal UI`).
 * Found from outside (12-07), round after round: each of these passed for a reserved name.
 */
export function readsAs(sub: string): string {
  const unmarked = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '');
  return (
    unmarked(removeConfusables(unmarked(sub).toUpperCase()))
      .toLowerCase()
      .replace(/rn/g, 'm')
      .replace(/[il1|]/g, 'l')
      .replace(/[0347$@5]/g, (ch) => DRAWN_AS_LETTER[ch]!)
      // Hangul fillers are letters drawn as nothing.
      .replace(/[^\p{L}\p{N}]|[\u115F\u1160\u3164\uFFA0]/gu, '')
  );
}
const DRAWN_AS_LETTER: Record<string, string> = { '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's', '@': 'a' };
const SYSTEM_READS_AS = readsAs(SYSTEM.id);
const LOCAL_UI_READS_AS = readsAs(LOCAL_UI_ACTOR);
// Anything that begins so: the label is `temporal-ui <origin>`, and no person's name begins like it.
const readsAsLocalUi = (sub: string) => readsAs(sub).startsWith(LOCAL_UI_READS_AS);

export const claimsSchema = z.object({
  // The actor of every act on the record: no control, format (bidi, zero-width), private-use or
  // unassigned characters (NUL cannot be stored: the acts went unrecorded), and not the system's own name.
  sub: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]+$/u, 'no control, format or unassigned characters')
    // A name that draws nothing, or one padded or filled to read as another's (张三 and U+3000, 张 U+3164 三),
    // was the actor of acts on the record (found from outside, 12-07).
    .refine((sub) => sub.trim() === sub, 'no space at either end')
    .refine(
      (sub) => !holdsBlankLooking(sub) && !readsAsAnotherName(sub),
      'no character that draws nothing (selectors, joiners, Hangul fillers, the braille blank…) and no compatibility ideograph or radical',
    )
    .refine(
      (sub) => /^[^\p{M}]/u.test(sub) && /[\p{L}\p{N}]/u.test(sub),
      'a name: letters or digits, no mark on nothing',
    )
    // Compatibility forms and look-alikes count as what they stand for (found from outside: full-width
    // ｓｙｓｔｅｍ acted, then all-Cyrillic ЅУЅТЕМ).
    .refine(
      (sub) => readsAs(sub) !== SYSTEM_READS_AS,
      `"${SYSTEM.id}" (in any width, case or look-alike letters) is the system's own actor`,
    )
    .refine(
      (sub) => !readsAsLocalUi(sub),
      `"${LOCAL_UI_ACTOR} …" (in any width, case, look-alike letters or dashes) is the Temporal UI's own actor at the codec door`,
    )
    // A word of ASCII letters with a look-alike from another alphabet in it (Cyrillic ѕ, Greek ο, small
    // capital ꜱ…) reads as a name it is not (found from outside: ѕystem acted as the system on the record).
    .refine((sub) => !LOOK_ALIKE_WORD.test(sub.normalize('NFKC')), {
      message: 'no word mixing ASCII letters with look-alikes from another alphabet',
    }),
  roles: z.array(roleSchema).min(1).max(10),
  scope: jurisdictionIdSchema,
  /** Granted by the operator only to create the root that is this token's scope (npm run seed). */
  rootAuthority: z.literal(true).optional(),
  exp: z.number(),
});
export type Principal = Omit<z.infer<typeof claimsSchema>, 'exp'>;

export interface AuthConfig {
  secret: string;
  issuer: string;
  audience: string;
}
