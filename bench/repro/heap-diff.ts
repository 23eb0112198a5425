/**
 * What a heap grew by, by kind of object: reads two V8 heap snapshots (before and after) and prints
 * the constructors or kinds whose retained-by-self size grew most, with their counts.
 *
 *   npx tsx bench/repro/heap-diff.ts before.heapsnapshot after.heapsnapshot [rows=30] [per=1]
 *
 * `per` divides every number (say, by the workflows started between the two) to show a cost per unit.
 * Made for measurement 4 with TEMPORAL_DEBUG=1 BENCH_HEAP_SNAPSHOTS=<dir> (the workflows then run
 * in the bench's own thread, so their objects are in its snapshots).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type:name" (strings, arrays and code are folded into their type). */
function tally(path: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + iType!]!]!;
    const name = ['object', 'native', 'hidden', 'closure'].includes(type) ? s.strings[s.nodes[i + iName!]!]! : '';
    const key = `${type}:${name.slice(0, 60)}`;
    const t = out.get(key) ?? { size: 0, count: 0 };
    t.size += s.nodes[i + iSize!]!;
    t.count += 1;
    out.set(key, t);
  }
  return out;
}

const [beforePath, afterPath, rowsArg = '30', perArg = '1'] = process.argv.slice(2);
if (!beforePath || !afterPath)
  throw new Error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [rows] [per]');
const per = Number(perArg);
const before = tally(beforePath);
const after = tally(afterPath);
const grown = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { size: 0, count: 0 };
  return { key, size: (a.size - b.size) / per, count: (a.count - b.count) / per };
});
const total = grown.reduce((n, g) => n + g.size, 0);
console.log(`grown in all: ${(total / 1024).toFixed(1)} KB${per === 1 ? '' : ` per unit (÷${per})`}`);
for (const g of grown.sort((x, y) => y.size - x.size).slice(0, Number(rowsArg)))
  console.log(`${(g.size / 1024).toFixed(1).padStart(9)} KB ${g.count.toFixed(1).padStart(9)}  ${g.key}`);
