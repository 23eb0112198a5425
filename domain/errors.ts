/**
 * Every permanent business error carries one of these types, in workflows (ApplicationFailure.type)
 * and in the API (error.code), so a client can branch on it without parsing messages.
 */
export const ErrorType = {
  Validation: 'VALIDATION',
  WrongStage: 'WRONG_STAGE',
  Duplicate: 'DUPLICATE',
  Inconsistent: 'INCONSISTENT',
  Suspended: 'SUSPENDED',
  Closed: 'CLOSED',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  Calendar: 'CALENDAR',
  /** A database error retrying cannot fix (SQLSTATE class 22/23): the activity fails at once. */
  PermanentDb: 'PERMANENT_DB_ERROR',
  /** A sealed row a message refers to is not in Postgres (a forged or stale reference). */
  SealedDetailsMissing: 'SEALED_DETAILS_MISSING',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export interface FieldIssue {
  path: string;
  rule: string;
}

/** A business-rule violation found by pure code; workflows turn it into an ApplicationFailure, the API into a 4xx. */
export class DomainError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
