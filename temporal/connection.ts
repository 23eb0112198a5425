/** One way to reach Temporal with the project's data converter, for the API, scripts and tests. */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, type CodecKey } from './codec.js';

export const failureConverterPath = new URL('./failure-converter.cjs', import.meta.url).pathname;

export function dataConverter(keys: CodecKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}

/**
 * How a client behaves when the frontend is unreachable. `interactive` (the API, tests): a call
 * gives up after ~1 s of retries (the SDK's default retries for ~15 s) so a person gets a 503 with
 * Retry-After instead of a hang, and the channel tries to reconnect every ≤2 s (gRPC's default
 * backoff grows to 2 min) so the API answers again soon after Temporal is back. `patient` (the
 * worker's client, scripts): the SDK's defaults, since an activity or a script would rather wait.
 */
export type CallStyle = 'interactive' | 'patient';

export async function connectClient(opts: {
  address: string;
  namespace: string;
  codecKeys: CodecKey[];
  calls?: CallStyle;
}): Promise<Client> {
  const interactive = (opts.calls ?? 'interactive') === 'interactive';
  const connection = await Connection.connect({
    address: opts.address,
    connectTimeout: '5s',
    ...(interactive
      ? {
          interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
          channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
        }
      : {}),
  });
  return new Client({ connection, namespace: opts.namespace, dataConverter: dataConverter(opts.codecKeys) });
}
