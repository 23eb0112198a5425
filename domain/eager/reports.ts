/** domain/reports.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../reports.js';

export * from '../reports.js';
export const targetSchema = lazy.targetSchema();
export const intakeSchema = lazy.intakeSchema();
export const triageSchema = lazy.triageSchema();
export const findingSchema = lazy.findingSchema();
export const findingMessageSchema = lazy.findingMessageSchema();
