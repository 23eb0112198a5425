/**
 * Modules the workflow bundle shares among all the workflows of a worker thread
 * (`bundlerOptions.preloadModules`): evaluated once per thread, then deep-frozen by the SDK, instead
 * of once in every workflow. Without it each cached workflow carried its own copy of zod and of every
 * domain schema (~2 MB; README, Benchmarks).
 *
 * Shared: zod (through worker/zod-preload.ts) and all of domain/ but domain/eager/. What that asks of
 * domain/ — checked by test/domain/shareable.test.ts:
 * - no zod schema built at load: each is built on first call (domain/once.ts); a frozen schema
 *   breaks zod, and one built at load would be built again for nothing in every Node process;
 * - no state kept between calls at module level (one workflow would see another's), and no exported
 *   object written to (it is frozen, so the write throws);
 * - no RegExp handed to zod from an export (zod resets its lastIndex, and it is frozen).
 * Workflow code (workflows/) stays per workflow: it holds each workflow's own state.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Absolute paths, zod's preload first, then domain/ in a stable order. */
export const sharedWorkflowModules: string[] = [
  join(root, 'worker/zod-preload.ts'),
  ...readdirSync(join(root, 'domain'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('eager/'))
    .sort()
    .map((f) => join(root, 'domain', f)),
];
