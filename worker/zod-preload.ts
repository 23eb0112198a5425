/**
 * The first of the workflow bundle's shared modules (worker/shared-modules.ts). zod writes its default
 * locale and its memoizer into a global config object when it builds its first schema; shared, that
 * object is frozen once the shared modules are loaded, so zod must have built a schema by then.
 */
import { z } from 'zod';

z.object({});
