/**
 * The payload codec: every payload encrypted; a large one compressed first, so a thousand-candidate
 * cycle's closing record (~700 KB of JSON) stays under Temporal's payload warning (512 KB) and far
 * from its limit (2 MB). Payloads written before compression still decode.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, COMPRESSION, generateCodecKey, parseCodecKeys } from '../../temporal/codec.js';

const keys = parseCodecKeys(generateCodecKey('k1'));
const codec = new AesGcmCodec(keys);
const te = new TextEncoder();
const td = new TextDecoder();

const json = (value: unknown): Payload => ({
  metadata: { encoding: te.encode('json/plain') },
  data: te.encode(JSON.stringify(value)),
});
// A cycle's state at its close, in shape: a thousand candidates, each with a row of its own.
const largeState = {
  cycleId: '440306:2026',
  candidates: Array.from({ length: 1000 }, (_, i) => ({
    personId: `p${i}`,
    name: `考察对象${i}`,
    positionId: `pos${i % 40}`,
    status: 'passed',
    dossier: { checks: { personnelFile: 'clear', lettersAndPetitions: 'clear' }, verdicts: ['clear', 'clear'] },
  })),
};
const size = (p: Payload) => p.data?.length ?? 0;
const meta = (p: Payload, k: string) => (p.metadata?.[k] ? td.decode(p.metadata[k]) : undefined);

describe('the payload codec', () => {
  it('compresses a large payload before encrypting it, and decodes it back whole', async () => {
    const plain = json(largeState);
    expect(size(plain)).toBeGreaterThan(150_000);
    const [sealed] = await codec.encode([plain]);
    expect(meta(sealed!, 'encoding')).toBe('binary/encrypted');
    expect(meta(sealed!, COMPRESSION)).toBe('deflate-raw');
    expect(size(sealed!)).toBeLessThan(size(plain) / 5);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('考察对象');
    const [back] = await codec.decode([sealed!]);
    expect(JSON.parse(td.decode(back!.data))).toEqual(largeState);
    expect(meta(back!, 'encoding')).toBe('json/plain');
  });

  it('leaves a small payload, or one that does not shrink, uncompressed', async () => {
    const small = json({ cycleId: '440306:2026', stage: 'launch' });
    const noise: Payload = { metadata: { encoding: te.encode('binary/plain') }, data: randomBytes(64 * 1024) };
    for (const p of [small, noise]) {
      const [sealed] = await codec.encode([p]);
      expect(meta(sealed!, COMPRESSION)).toBeUndefined();
      const [back] = await codec.decode([sealed!]);
      expect(Buffer.from(back!.data!).equals(Buffer.from(p.data!))).toBe(true);
    }
  });

  it('decodes a large payload encrypted before payloads were compressed', async () => {
    const before = new AesGcmCodec(keys, { compressFromBytes: Infinity });
    const [sealed] = await before.encode([json(largeState)]);
    expect(meta(sealed!, COMPRESSION)).toBeUndefined();
    const [back] = await codec.decode([sealed!]);
    expect(JSON.parse(td.decode(back!.data))).toEqual(largeState);
  });

  it('refuses a payload whose compression mark was taken off or put on', async () => {
    const [compressed] = await codec.encode([json(largeState)]);
    const { [COMPRESSION]: _mark, ...unmarked } = compressed!.metadata!;
    await expect(codec.decode([{ ...compressed!, metadata: unmarked }])).rejects.toThrow();
    const [plain] = await codec.encode([json({ stage: 'launch' })]);
    const marked = { ...plain!, metadata: { ...plain!.metadata, [COMPRESSION]: te.encode('deflate-raw') } };
    await expect(codec.decode([marked])).rejects.toThrow();
  });

  it('refuses a compression it does not know', async () => {
    const [compressed] = await codec.encode([json(largeState)]);
    const other = { ...compressed!, metadata: { ...compressed!.metadata, [COMPRESSION]: te.encode('zstd') } };
    await expect(codec.decode([other])).rejects.toThrow(/compression zstd/);
  });
});
