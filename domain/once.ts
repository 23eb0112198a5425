/**
 * How domain/ exports its zod schemas: each as a function that builds the schema on its first call
 * and then keeps it, `export const policySchema = once(() => z.strictObject(…))`, called as
 * `policySchema()`. Nothing in domain/ builds a schema at module load.
 *
 * Why: the worker's workflow bundle shares domain/ among all the workflows of a thread (evaluated
 * once, worker/shared-modules.ts); the Temporal SDK deep-freezes what a shared module exports, and
 * zod cannot parse with a frozen schema (it completes a schema in place on first use). Built on
 * first call, a schema lives in this closure, where the freeze does not reach, and exists once per
 * thread instead of once per cached workflow (each cost ~2 MB when every workflow built them all).
 * Node code that loads once (API, activities, scripts, tests) imports the same schemas built, under
 * the same names, from domain/eager/.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
