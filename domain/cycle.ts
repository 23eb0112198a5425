/**
 * The cycle (换届) in pure code, split along its seams: the stage inputs' schemas (cycle/inputs.ts),
 * the state (cycle/state.ts), the rules that check and apply each input (cycle/rules.ts) and the
 * read-model rows written to Postgres (cycle/rows.ts). Re-exported here as one namespace for callers.
 */
export * from './cycle/inputs.js';
export * from './cycle/rows.js';
export * from './cycle/rules.js';
export * from './cycle/state.js';
