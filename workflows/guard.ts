/**
 * Update validators run pure checks; this turns their failures into ApplicationFailures whose type
 * is an ErrorType and whose details name each bad field, so the API can answer with a precise 4xx.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { ZodError } from 'zod';
import { DomainError, ErrorType, type FieldIssue } from '../domain/errors.js';

export function zodIssues(e: ZodError): FieldIssue[] {
  return e.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', rule: i.message }));
}

export function toFailure(e: unknown): unknown {
  if (e instanceof DomainError)
    return ApplicationFailure.create({ type: e.type, message: e.message, details: [e.details], nonRetryable: true });
  if (e instanceof ZodError) {
    const details = zodIssues(e);
    return ApplicationFailure.create({
      type: ErrorType.Validation,
      message: `invalid input: ${details.map((d) => `${d.path}: ${d.rule}`).join('; ')}`,
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
