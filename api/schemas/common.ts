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
