/**
 * Replays recorded histories of finished workflows with today's workflow code. A change that would
 * make running cycles non-deterministic fails here, before it reaches them; such a change needs
 * `patched()`. Fixtures are recorded with `npm run record:histories` and encrypted with the test key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { parseCodecKeys } from '../../temporal/codec.js';
import { dataConverter } from '../../temporal/connection.js';
import { TEST_CODEC_KEYS } from '../keys.js';

const dir = new URL('../fixtures/histories/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded histories', () => {
  it('has fixtures of a closed cycle and of both candidate outcomes, from before and after each patch', () => {
    // v1: before open-inspection-before-advance; v2: after it; v3: after candidate-inspection-contents.
    // v4: after supervision-child. v5: after candidates-by-signal (and a run continued as new).
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'report-clarified-v1.json',
        'report-substantiated-v1.json',
        'supervision-closed-v1.json',
        'cycle-continued-v5.json',
      ]),
    );
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5']) {
      expect(fixtures).toEqual(
        expect.arrayContaining([`cycle-closed-${v}.json`, `candidate-stopped-${v}.json`, `candidate-passed-${v}.json`]),
      );
    }
  });

  it('replays every fixture without a non-determinism error', async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      /* installed already */
    }
    const histories = fixtures.map((f) => {
      const { workflowId, history } = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      return { workflowId, history: historyFromJSON(history) };
    });
    const results = [];
    for await (const r of Worker.runReplayHistories(
      {
        workflowBundle: { codePath: inject('workflowBundlePath') },
        dataConverter: dataConverter(parseCodecKeys(TEST_CODEC_KEYS)),
      },
      histories,
    )) {
      results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : undefined });
    }
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
