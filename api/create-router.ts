/**
 * Every router of the API is made here, so each validates alike: a request that fails a route's
 * schema answers 400 naming the field and the rule (through the one error path, api/errors.ts).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from './context.js';
import { validationError } from './errors.js';

export function createRouter() {
  return new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target === 'json' ? 'body' : result.target);
    },
  });
}
