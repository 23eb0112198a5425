/**
 * Measurement 7's API in a process of its own, as in production, with the bare Hono route beside it
 * on the same event loop: the cycles' drivers and the readers run in the bench process, so neither
 * the API nor the bare route shares an event loop with the load it is measured under — only the
 * machine. The same app as the bench's own (api/app.ts createApp, its pool of 20), with reads on
 * connections of their own (20), as the API runs them (DATABASE_READ_POOL_MAX).
 * Config from the environment (set by bench/run.ts); prints `ready <apiUrl> <bareUrl>` once both listen.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApiPools } from '../activities/db.js';
import { createApp } from '../api/app.js';
import { AesGcmCodec, parseCodecKeys } from '../temporal/codec.js';
import { connectClient } from '../temporal/connection.js';
import { bareApp, serveOn } from './util.js';

const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const codecKeys = parseCodecKeys(need('CODEC_KEYS'));
const client = await connectClient({ address: need('TEMPORAL_ADDRESS'), namespace: 'default', codecKeys });
const { pool, readPool, warm } = createApiPools(need('DATABASE_URL'), { inputs: 20, reads: 20 });
// As api/server.ts: every connection open before the first request.
await warm();
const app = createApp({
  temporal: client,
  pool,
  readPool,
  taskQueue: need('TEMPORAL_TASK_QUEUE'),
  auth: { secret: need('JWT_SECRET'), issuer: 'huanjie', audience: 'huanjie-api' },
  codecKeys,
  codec: new AesGcmCodec(codecKeys),
  rateLimit: { perMinute: 10_000_000, burst: 1_000_000 },
});
const bare = bareApp();
// What the API's process waited on over the run: its event loop's delays, and requests queued for
// one of each pool's connections (sampled every 50 ms).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let poolWaitingMax = 0;
let readPoolWaitingMax = 0;
setInterval(() => {
  poolWaitingMax = Math.max(poolWaitingMax, pool.waitingCount);
  readPoolWaitingMax = Math.max(readPoolWaitingMax, readPool.waitingCount);
}, 50).unref();
// How long each GET took inside this process (from the handler's start to its answer): a read the
// readers saw over 1 s that took as long here waited in the API (for a connection, a query), not
// in the bench process or the network.
let getsInsideOver1s = 0;
let getInsideMaxMs = 0;
// Where a read slow at the reader spent its time (bench/readers.ts `slowReads`): each answer carries
// when its connection was accepted, when the handler began and when it answered (epoch ms, one
// clock for every process on the machine), so the reader can split its wait into the connection,
// the HTTP parse on this event loop, the handler, and the way back.
const epochMs = () => performance.timeOrigin + performance.now();
const acceptedAt = new WeakMap<object, number>();
const timedFetch = async (req: Request, env?: unknown) => {
  const entered = epochMs();
  const t = performance.now();
  const res = await app.fetch(req, env);
  if (req.method === 'GET') {
    const took = performance.now() - t;
    if (took > 1000) getsInsideOver1s++;
    getInsideMaxMs = Math.max(getInsideMaxMs, took);
    const socket = (env as { incoming?: { socket?: object } } | undefined)?.incoming?.socket;
    const accepted = socket ? acceptedAt.get(socket) : undefined;
    try {
      if (accepted !== undefined) res.headers.set('x-bench-accepted', accepted.toFixed(1));
      const port = (socket as { remotePort?: number } | undefined)?.remotePort;
      if (port !== undefined) res.headers.set('x-bench-port', String(port));
      res.headers.set('x-bench-entered', entered.toFixed(1));
      res.headers.set('x-bench-answered', epochMs().toFixed(1));
    } catch {
      // An answer with immutable headers goes out unstamped; the reader then counts it as such.
    }
  }
  return res;
};
bare.get('/stats', (c) =>
  c.json({
    eventLoopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
    eventLoopDelayMaxMs: Math.round(loop.max / 1e4) / 100,
    poolWaitingMax,
    readPoolWaitingMax,
    getsInsideOver1s,
    getInsideMaxMs: Math.round(getInsideMaxMs),
  }),
);
const apiServer = await serveOn(timedFetch);
apiServer.server.on('connection', (socket: object) => acceptedAt.set(socket, epochMs()));
const bareServer = await serveOn(bare.fetch);
console.log(`ready ${apiServer.url} ${bareServer.url}`);

process.once('SIGTERM', () => {
  void (async () => {
    await Promise.all([apiServer, bareServer].map((s) => new Promise((r) => s.server.close(r))));
    await Promise.all([pool.end(), readPool.end()]);
    await client.connection.close();
    process.exit(0);
  })();
});
