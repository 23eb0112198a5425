/** domain/supervision.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../supervision.js';

export * from '../supervision.js';
export const checkpointSchema = lazy.checkpointSchema();
export const acceptRectificationSchema = lazy.acceptRectificationSchema();
export const monitoringSchema = lazy.monitoringSchema();
export const riskSchema = lazy.riskSchema();
export const resolveRiskSchema = lazy.resolveRiskSchema();
