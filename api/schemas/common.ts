/**
 * Building blocks of the response schemas. Two ways a time is sent: workflow state carries epoch
 * milliseconds (it is plain JSON in Temporal), rows read from PostgreSQL carry ISO 8601 instants
 * (timestamptz columns serialize so).
 */
import { z } from '@hono/zod-openapi';

export const epochMs = z.number().openapi({ description: 'epoch milliseconds', example: 1790000000000 });
export const instant = z
  .string()
  .openapi({ format: 'date-time', description: 'an instant, ISO 8601 UTC', example: '2026-09-29T02:15:00.000Z' });
/** Counts keyed by a category, stage, status…: only keys with at least one are present. */
export const countsBy = z.record(z.string(), z.number().int());
/** Free-form JSON an audit row carries: its shape depends on the action (see docs/domain.md). */
export const auditDetail = z.record(z.string(), z.unknown()).nullable();

/** A registration's hold on its cycle (api/holds.ts): registration answers once it is placed. */
export const holdAnswerSchema = z
  .discriminatedUnion('state', [
    z.object({ state: z.literal('placed'), name: z.string() }),
    z.object({ state: z.literal('none'), why: z.string() }),
    z.object({ state: z.literal('pending'), why: z.string() }),
  ])
  .openapi({
    description:
      "The hold this registration puts on a cycle. placed: it is on the cycle (a person's hold, or the stage's gate for a high risk) before this answer, so no input sent after it passes the gate, and the cycle's next read shows it; none: nothing to hold, and why; pending: Temporal did not confirm it in time — the workflow places it when it runs, and until then the gate is not held",
  });
