/**
 * The one way a schema failure becomes `details` (FieldIssue[]), for the API's 400s and the workflows'
 * update validators (workflows/guard.ts) alike: each issue's dotted path and the rule it broke; an
 * unknown field is named in the path (`policy.colour`) with the rule `unknown field colour`, so a
 * client sees which key to drop.
 */
import type { ZodError } from 'zod';
import type { FieldIssue } from './errors.js';

export function fieldIssues(e: ZodError): FieldIssue[] {
  return e.issues.map((i) => {
    const path = i.path.map(String).join('.');
    const unknownKeys = i.code === 'unrecognized_keys' ? i.keys : [];
    if (unknownKeys.length > 0)
      return {
        path: [path, ...unknownKeys].filter(Boolean).join('.'),
        rule: `unknown field ${unknownKeys.join(', ')}`,
      };
    return { path: path || '(body)', rule: i.message };
  });
}

/** The message that goes with them: `invalid body: name: too short; policy.colour: unknown field colour`. */
export function invalidMessage(what: string, details: FieldIssue[]): string {
  return `invalid ${what}: ${details.map((d) => `${d.path}: ${d.rule}`).join('; ')}`;
}
