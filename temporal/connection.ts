/** One way to reach Temporal with the project's data converter, for the API, scripts and tests. */
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type GrpcRetryOptions,
} from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { DataConverter } from '@temporalio/common';
import type { TemporalTokenSource } from './auth.js';
import { AesGcmCodec, type CodecKey } from './codec.js';

export const failureConverterPath = new URL('./failure-converter.cjs', import.meta.url).pathname;

export function dataConverter(keys: CodecKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}

/**
 * How a client behaves when the frontend is unreachable. `interactive` (the API, tests): a call
 * gives up on an unreachable server after ~1 s of retries (the SDK's default retries for ~15 s) so a person gets a 503 with
 * Retry-After instead of a hang, and the channel tries to reconnect every ≤2 s (gRPC's default
 * backoff grows to 2 min) so the API answers again soon after Temporal is back. `patient` (the
 * worker's client, scripts): the SDK's defaults, since an activity or a script would rather wait.
 */
export type CallStyle = 'interactive' | 'patient';

// gRPC's status code for "unreachable" (grpc-js is not a direct dependency: the number, not its enum).
const GRPC_UNAVAILABLE = 14;

/**
 * Only "unreachable" (UNAVAILABLE) gives up early, after 4 attempts (~1 s). A server that answers
 * "busy" (RESOURCE_EXHAUSTED, a workflow with too many updates in flight) is healthy: those keep the
 * SDK's full retries, or a loaded but working stack would be cut off as an outage.
 */
function interactiveRetry(): GrpcRetryOptions {
  const sdk = defaultGrpcRetryOptions();
  return {
    delayFunction: sdk.delayFunction,
    retryableDecider: (attempt, status) =>
      (status.code as number) === GRPC_UNAVAILABLE ? attempt < 4 : sdk.retryableDecider(attempt, status),
  };
}

export async function connectClient(opts: {
  address: string;
  namespace: string;
  codecKeys: CodecKey[];
  calls?: CallStyle;
  /** In a cluster with authorization: the bearer token to present, renewed by the source. */
  auth?: TemporalTokenSource | undefined;
  /** Carry the caller's trace into the workflows it starts, updates and queries (temporal/tracing.ts). */
  tracing?: boolean;
}): Promise<Client> {
  const interactive = (opts.calls ?? 'interactive') === 'interactive';
  const auth = opts.auth;
  const connection = await Connection.connect({
    address: opts.address,
    connectTimeout: '5s',
    ...(interactive
      ? {
          interceptors: [makeGrpcRetryInterceptor(interactiveRetry())],
          channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
        }
      : {}),
    // A function, so every call carries the source's current (renewed) token.
    // With an API key the SDK turns TLS on by default; TLS is a separate setting (README, Deployment).
    ...(auth ? { apiKey: () => auth.current(), tls: false } : {}),
  });
  return new Client({
    connection,
    namespace: opts.namespace,
    dataConverter: dataConverter(opts.codecKeys),
    ...(opts.tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
}
