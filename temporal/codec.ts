/**
 * Encrypts every Temporal payload with AES-256-GCM before it leaves the process, so histories on
 * the server (and in the UI without the codec endpoint) never show personal data. The key id
 * travels in the payload's metadata: several keys can be configured, the first encrypts, all
 * decrypt, which is how keys are rotated.
 *
 * A payload of COMPRESS_FROM_BYTES or more is compressed (raw deflate) before it is encrypted, when
 * that makes it smaller: a thousand-candidate cycle's closing record carried ~700 KB of JSON, over
 * Temporal's payload warning (512 KB) and a third of its limit (2 MB), and its history ~10 MB. The
 * mark `compression` says so and is authenticated with the ciphertext (taken off or put on, the
 * payload fails to decrypt); payloads written before compression carry none and decode as before.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { createRequire } from 'node:module';

// @temporalio/proto is CommonJS without static named exports, so ESM needs require() to reach it.
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const NULL_ENCODING = 'binary/null';
const KEY_ID = 'encryption-key-id';
/** Metadata naming the compression applied before encryption (absent: none). */
export const COMPRESSION = 'compression';
const DEFLATE_RAW = 'deflate-raw';
/** Below this a payload is encrypted as it is: most are a few hundred bytes, and gain nothing. */
export const COMPRESS_FROM_BYTES = 4096;
/**
 * The fastest level, a 4 KB window and small tables: 32 KB of zlib's memory a call instead of 256 KB
 * (its defaults), which every large payload allocated and freed again. A cycle's JSON repeats within a
 * few hundred bytes: on a state shaped like a thousand candidates' (722 KB, made up for the measurement)
 * this compressed to 4.3 % as the defaults did, in 2.8 ms against 7.1. Inflating takes any window up to
 * 32 KB, so the decoder needs no option.
 */
const DEFLATE_OPTIONS = { level: constants.Z_BEST_SPEED, windowBits: 12, memLevel: 5 };
/** No payload Temporal takes is near this (its limit is 2 MB): more inflated is not ours. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const te = new TextEncoder();
const td = new TextDecoder();

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** Parses `id:base64key,id2:base64key` (first one encrypts). Throws a message naming the fault. */
export function parseCodecKeys(spec: string): CodecKey[] {
  const keys = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, b64] = entry.split(':');
      if (!id || !b64 || !/^[A-Za-z0-9_-]{1,40}$/.test(id))
        throw new Error(`CODEC_KEYS entry "${entry.slice(0, 12)}…" must look like id:base64key`);
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new Error(`CODEC_KEYS key "${id}" must be 32 bytes (base64), is ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('CODEC_KEYS must hold at least one key');
  return keys;
}

export function generateCodecKey(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: CodecKey;

  private readonly compressFromBytes: number;

  /** `compressFromBytes`: Infinity encodes as before compression (tests of older payloads). */
  constructor(keys: CodecKey[], options: { compressFromBytes?: number } = {}) {
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.compressFromBytes = options.compressFromBytes ?? COMPRESS_FROM_BYTES;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      // An empty payload (`undefined`) holds nothing to hide and stays empty: the task mark a workflow
      // task may upsert into the memo (workflows/tasks-never-empty.ts) is then no stored field, and a
      // plain client, or an operator's script, still lists the workflows.
      if (p.metadata?.encoding && td.decode(p.metadata.encoding) === NULL_ENCODING && !p.data?.length) return p;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const encoded = temporal.api.common.v1.Payload.encode(p).finish();
      const deflated = encoded.length >= this.compressFromBytes ? deflateRawSync(encoded, DEFLATE_OPTIONS) : undefined;
      const compressed = deflated !== undefined && deflated.length < encoded.length;
      if (compressed) cipher.setAAD(te.encode(DEFLATE_RAW));
      const plain = compressed ? deflated : encoded;
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: te.encode(ENCRYPTED_ENCODING),
          [KEY_ID]: te.encode(this.current.id),
          ...(compressed ? { [COMPRESSION]: te.encode(DEFLATE_RAW) } : {}),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const encoding = p.metadata?.encoding;
      if (!encoding || td.decode(encoding) !== ENCRYPTED_ENCODING) return p;
      const keyId = p.metadata?.[KEY_ID] ? td.decode(p.metadata[KEY_ID]) : '';
      const key = this.byId.get(keyId);
      if (!key) throw new Error(`no codec key with id ${keyId}; add it to CODEC_KEYS to read this payload`);
      const compression = p.metadata?.[COMPRESSION] ? td.decode(p.metadata[COMPRESSION]) : undefined;
      if (compression !== undefined && compression !== DEFLATE_RAW)
        throw new Error(`a payload under compression ${compression.slice(0, 20)}: this codec knows ${DEFLATE_RAW}`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      if (compression) decipher.setAAD(te.encode(DEFLATE_RAW));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(
        compression ? inflateRawSync(plain, { maxOutputLength: MAX_INFLATED_BYTES }) : plain,
      );
    });
  }
}

/** CODEC_KEYS as a config field: parsed once with the rest of a process's environment. */
export const codecKeysSchema = z
  .string({ error: 'is required: id:base64key[,id:base64key] (npm start generates one into .data/)' })
  .min(1)
  .transform((spec, ctx) => {
    try {
      return parseCodecKeys(spec);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^CODEC_KEYS /, '') });
      return z.NEVER;
    }
  });
