/** One way to reach Temporal with the project's data converter, for the API, scripts and tests. */
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { DataConverter } from '@temporalio/common';
import type { TemporalTokenSource } from './auth.js';
import { AesGcmCodec, type CodecKey } from './codec.js';

export const failureConverterPath = new URL('./failure-converter.cjs', import.meta.url).pathname;

export function dataConverter(keys: CodecKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}

export async function connectClient(opts: {
  address: string;
  namespace: string;
  codecKeys: CodecKey[];
  /** In a cluster with authorization: the bearer token to present, renewed by the source. */
  auth?: TemporalTokenSource | undefined;
  /** Carry the caller's trace into the workflows it starts, updates and queries (temporal/tracing.ts). */
  tracing?: boolean;
}): Promise<Client> {
  const auth = opts.auth;
  const connection = await Connection.connect({
    address: opts.address,
    connectTimeout: '5s',
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
