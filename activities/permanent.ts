/**
 * An activity that fails on a permanent database error must not be retried forever: data
 * exceptions (SQLSTATE class 22: invalid byte sequence, NUL in text, out of range) and integrity
 * violations (class 23: check, foreign key, not null) fail the same way on every attempt. They
 * become non-retryable ApplicationFailures of type PERMANENT_DB_ERROR, so the workflow is told at
 * once. The message names the SQLSTATE and constraint only: Postgres messages can quote the values,
 * and those may be sealed data.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors.js';

export const PERMANENT_DB_ERROR = ErrorType.PermanentDb;

export function isPermanentDbError(e: unknown): e is { code: string; constraint?: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

export function withPermanentFailures<T extends Record<string, unknown>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      typeof fn !== 'function'
        ? fn
        : async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (e) {
              if (!isPermanentDbError(e)) throw e;
              throw ApplicationFailure.create({
                type: PERMANENT_DB_ERROR,
                nonRetryable: true,
                message: `${name}: permanent database error (SQLSTATE ${e.code}${e.constraint ? `, ${e.constraint}` : ''})`,
              });
            }
          },
    ]),
  ) as T;
}
