/** domain/policy.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../policy.js';

export * from '../policy.js';
export const positionIdSchema = lazy.positionIdSchema();
export const policySchema = lazy.policySchema();
