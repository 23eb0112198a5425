/**
 * An API process that dies (SIGKILL: no catch, no finally, nothing after) the moment it would start
 * a workflow — the crash between intake's database write and its workflow start. Run by
 * intake-crash.test.ts as a child process; it prints its port, then serves until it is killed.
 */
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { APP_ROLE, createPool } from '../../activities/db.js';
import { createApp } from '../../api/app.js';
import { parseCodecKeys } from '../../temporal/codec.js';
import { connectClient } from '../../temporal/connection.js';

const env = (name: string) =>
  process.env[name] ?? (console.error(`crashing-api: ${name} is required`), process.exit(2));
const codecKeys = parseCodecKeys(env('CODEC_KEYS'));
const client = await connectClient({ address: env('TEMPORAL_ADDRESS'), namespace: env('NAMESPACE'), codecKeys });
// Everything else of the client works (the cycle is read through it); only a start kills the process.
const workflow = Object.create(client.workflow, {
  start: {
    value: () => {
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    },
  },
}) as Client['workflow'];
const temporal = Object.create(client, { workflow: { value: workflow } }) as Client;
const app = createApp({
  temporal,
  pool: createPool(env('DATABASE_URL'), { max: 2, role: APP_ROLE }),
  taskQueue: env('TASK_QUEUE'),
  auth: { secret: env('JWT_SECRET'), issuer: 'huanjie', audience: 'huanjie-api' },
  codecKeys,
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(`listening ${info.port}`));
