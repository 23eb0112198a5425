/**
 * Modules the workflow bundle shares among all the workflows of a worker thread
 * (`bundlerOptions.preloadModules`): evaluated once per thread, then deep-frozen by the SDK, instead
 * of once in every workflow. Without it each cached workflow carried its own copy of zod and of every
 * domain schema (~2 MB; README, Benchmarks), and then of every workflow module (~54 KB of heap).
 *
 * Shared: zod (through worker/zod-preload.ts), all of domain/ but domain/eager/, and all of
 * workflows/. What that asks of them — checked by test/domain/shareable.test.ts, the linter and every
 * workflow test (their workers share the same modules):
 * - no zod schema built at load: each is built on first call (domain/once.ts); a frozen schema
 *   breaks zod, and one built at load would be built again for nothing in every Node process;
 * - no state kept at module level (one workflow would see another's): a workflow's state lives in
 *   its function's own scope, and what must outlive a call on the workflow's own globals
 *   (workflows/tasks-never-empty.ts); no module-level `let` (the linter refuses it), and no exported
 *   object written to (it is frozen, so the write throws);
 * - no RegExp handed to zod from an export (zod resets its lastIndex, and it is frozen).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Absolute paths, zod's preload first, then domain/ and workflows/ in a stable order. */
export const sharedWorkflowModules: string[] = [
  join(root, 'worker/zod-preload.ts'),
  ...readdirSync(join(root, 'domain'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('eager/'))
    .sort()
    .map((f) => join(root, 'domain', f)),
  ...readdirSync(join(root, 'workflows'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(root, 'workflows', f)),
];
