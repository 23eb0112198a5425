/** domain/inspection.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../inspection.js';

export * from '../inspection.js';
export const inspectionRecordSchema = lazy.inspectionRecordSchema();
export const verdictSchema = lazy.verdictSchema();
export const dossierSchema = lazy.dossierSchema();
export const stopSchema = lazy.stopSchema();
export const personalMattersSchema = lazy.personalMattersSchema();
export const personalMattersMessageSchema = lazy.personalMattersMessageSchema();
