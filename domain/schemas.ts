/** Shared field schemas: one definition of what a valid id, name or count is. */
import { z } from 'zod';
import { JURISDICTION_LEVELS } from './stages.js';

/** Opaque ids only: a person's name must never end up in a workflow id or search attribute. */
export const ID = {
  person: { pattern: /^[A-Za-z0-9_-]{1,64}$/, rule: 'an opaque id: letters, digits, _ or -, at most 64' },
  jurisdiction: { pattern: /^[A-Za-z0-9_-]{1,40}$/, rule: 'letters, digits, _ or -, at most 40' },
} as const;
export const personIdSchema = z.string().regex(ID.person.pattern, ID.person.rule);
export const jurisdictionIdSchema = z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule);
export const termSchema = z.string().regex(/^\d{4}$/, 'a four-digit year, e.g. 2026');
export const chineseNameSchema = z.string().trim().min(1).max(100);
export const reasonSchema = z.string().trim().min(1, 'a reason is required').max(2000);
export const count = z.number().int().min(0).max(10_000_000);
// A real calendar day: 2026-02-30 or 2026-13-45 are refused here, not by Postgres later.
// Nor a year PostgreSQL or the calendar cannot hold (0000 is no year at all): nothing here predates 1900.
export const EARLIEST_DATE = '1900-01-01';
export const realDate = (message = 'a real calendar date YYYY-MM-DD') =>
  z.iso.date(message).refine((d) => d >= EARLIEST_DATE, `${message}, from ${EARLIEST_DATE} on`);
export const isoDateSchema = realDate();

export const jurisdictionSchema = z.strictObject({
  id: jurisdictionIdSchema,
  name: chineseNameSchema,
  level: z.enum(JURISDICTION_LEVELS),
  parentId: jurisdictionIdSchema.nullable(),
});
export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

/** Who did it: set by the API from the verified token, never taken from a request body. */
export interface Actor {
  id: string;
  role: string;
  requestId?: string;
}
