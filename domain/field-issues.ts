/**
 * The one way a schema failure becomes `details` (FieldIssue[]), for the API's 400s and the workflows'
 * update validators (workflows/guard.ts) alike: each issue's dotted path and the rule it broke; an
 * unknown field is named in the path (`policy.colour`) with the rule `unknown field colour`, so a
 * client sees which key to drop.
 */
import type { ZodError } from 'zod';
import type { FieldIssue } from './errors.js';

/** Unknown fields named one by one, at most this many (found from outside: 90,000 of them chained into one path). */
const UNKNOWN_NAMED = 5;

export function fieldIssues(e: ZodError): FieldIssue[] {
  return e.issues.flatMap((i) => {
    const path = i.path.map(String).join('.');
    const unknownKeys = i.code === 'unrecognized_keys' ? i.keys : [];
    if (unknownKeys.length > 0) {
      const named = unknownKeys.slice(0, UNKNOWN_NAMED);
      const more = unknownKeys.length - named.length;
      return named.map((key, n) => ({
        path: [path, key].filter(Boolean).join('.'),
        rule: `unknown field ${key}${n === named.length - 1 && more > 0 ? ` (and ${more} more unknown fields)` : ''}`,
      }));
    }
    return [{ path: path || '(body)', rule: i.message }];
  });
}

/** The message that goes with them: `invalid body: name: too short; policy.colour: unknown field colour`. */
export function invalidMessage(what: string, details: FieldIssue[]): string {
  return `invalid ${what}: ${details.map((d) => `${d.path}: ${d.rule}`).join('; ')}`;
}
