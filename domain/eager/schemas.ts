/** domain/schemas.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../schemas.js';

export * from '../schemas.js';
export const personIdSchema = lazy.personIdSchema();
export const jurisdictionIdSchema = lazy.jurisdictionIdSchema();
export const termSchema = lazy.termSchema();
export const chineseNameSchema = lazy.chineseNameSchema();
export const reasonSchema = lazy.reasonSchema();
export const count = lazy.count();
export const isoDateSchema = lazy.isoDateSchema();
export const jurisdictionSchema = lazy.jurisdictionSchema();
