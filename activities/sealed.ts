/**
 * Sealed columns: sensitive values (personal-matters details, reporters' identities) are stored
 * encrypted with AES-256-GCM under a key derived (HKDF) from the configured codec keys, tagged with
 * the key id so keys rotate like the payload codec's.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { CodecKey } from '../temporal/codec.js';

const derive = (k: CodecKey) => Buffer.from(hkdfSync('sha256', k.key, 'huanjie', 'sealed-column-v1', 32));

export function createSealer(keys: CodecKey[]) {
  const derived = new Map(keys.map((k) => [k.id, derive(k)]));
  const current = keys[0]!;
  return {
    seal(value: unknown): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', derived.get(current.id)!, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1:${current.id}:${Buffer.concat([iv, data]).toString('base64')}`;
    },
    unseal<T = unknown>(sealed: string): T {
      const [version, keyId, b64] = sealed.split(':');
      const key = derived.get(keyId ?? '');
      if (version !== 'v1' || !key || !b64) throw new Error(`cannot unseal: unknown format or key ${keyId}`);
      const raw = Buffer.from(b64, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return JSON.parse(
        Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8'),
      ) as T;
    },
  };
}
export type Sealer = ReturnType<typeof createSealer>;
