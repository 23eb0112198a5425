/** domain/calendar.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../calendar.js';

export * from '../calendar.js';
export const yearOverrideSchema = lazy.yearOverrideSchema();
export const calendarSchema = lazy.calendarSchema();
