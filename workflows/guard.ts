/**
 * Update validators run pure checks; this turns their failures into ApplicationFailures whose type
 * is an ErrorType and whose details name each bad field, so the API can answer with a precise 4xx.
 * Schema failures are described as the API describes its own (domain/field-issues.ts): one shape.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { ZodError } from 'zod';
import { DomainError, ErrorType } from '../domain/errors.js';
import { fieldIssues, invalidMessage } from '../domain/field-issues.js';

export function toFailure(e: unknown): unknown {
  if (e instanceof DomainError)
    return ApplicationFailure.create({ type: e.type, message: e.message, details: [e.details], nonRetryable: true });
  if (e instanceof ZodError) {
    const details = fieldIssues(e);
    return ApplicationFailure.create({
      type: ErrorType.Validation,
      message: invalidMessage('input', details),
      details: [details],
      nonRetryable: true,
    });
  }
  return e;
}

export function guard(check: () => void): void {
  try {
    check();
  } catch (e) {
    throw toFailure(e);
  }
}
