/**
 * Creates Huanjie's namespace and registers its search attributes on a Temporal cluster that requires
 * JWTs, acting with a short-lived "temporal-system:admin" token signed by Huanjie's key. Used by
 * `npm run cluster` and, run alone, by docker-compose.yml (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_AUTH_KEY). Safe to run again: what exists is left as it is.
 */
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { mintTemporalToken, parseTemporalAuthKey, type TemporalSigningKey } from '../temporal/auth.js';
import { ensureSearchAttributes } from './dev-server.js';
import { SetupError } from './temporal-cli.js';

export const adminToken = (key: TemporalSigningKey) =>
  mintTemporalToken(key, { subject: 'huanjie-setup', permissions: ['temporal-system:admin'], ttlSeconds: 600 });

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline)
        throw new SetupError(`${what} did not succeed within ${timeoutMs / 1000} s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function setupNamespace(o: {
  address: string;
  namespace: string;
  key: TemporalSigningKey;
  log: (l: string) => void;
  /** Called while waiting for the frontend; throw to stop waiting (a service process died). */
  check?: () => void;
  timeoutMs?: number;
}): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const admin = await retry(
    `the Temporal frontend at ${o.address}`,
    async () => {
      o.check?.();
      return Connection.connect({
        address: o.address,
        connectTimeout: '2s',
        apiKey: await adminToken(o.key),
        tls: false,
      });
    },
    timeoutMs,
  );
  try {
    await retry(
      `registering namespace ${o.namespace}`,
      async () => {
        try {
          await admin.workflowService.registerNamespace({
            namespace: o.namespace,
            workflowExecutionRetentionPeriod: msToTs('7 days'),
          });
        } catch (e) {
          if ((e as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw e;
        }
        await admin.workflowService.describeNamespace({ namespace: o.namespace });
      },
      timeoutMs,
    );
    const added = await retry(
      'registering search attributes',
      () => ensureSearchAttributes(admin, o.namespace),
      60_000,
    );
    o.log(`namespace ${o.namespace}; search attributes ${added.length ? `added: ${added.join(', ')}` : 'present'}`);
  } finally {
    await admin.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  (async () => {
    const spec = process.env.TEMPORAL_AUTH_KEY;
    if (!spec) throw new SetupError('configuration: TEMPORAL_AUTH_KEY is required (a private JWK or PKCS#8 PEM)');
    const key = await parseTemporalAuthKey(spec, process.env.TEMPORAL_AUTH_KID ?? 'huanjie');
    await setupNamespace({
      address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      key,
      log: (l) => console.log(`temporal-setup: ${l}`),
      timeoutMs: 300_000,
    });
  })().catch((e: Error) => {
    console.error(e instanceof SetupError ? e.message : (e.stack ?? String(e)));
    process.exit(1);
  });
}
