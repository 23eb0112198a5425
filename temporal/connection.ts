/** One way to reach Temporal with the project's data converter, for the API, scripts and tests. */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, type CodecKey } from './codec.js';

export const failureConverterPath = new URL('./failure-converter.cjs', import.meta.url).pathname;

export function dataConverter(keys: CodecKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}

export async function connectClient(opts: {
  address: string;
  namespace: string;
  codecKeys: CodecKey[];
}): Promise<Client> {
  const connection = await Connection.connect({ address: opts.address, connectTimeout: '5s' });
  return new Client({ connection, namespace: opts.namespace, dataConverter: dataConverter(opts.codecKeys) });
}
