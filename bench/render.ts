/**
 * Writes bench/results/latest.md again from a run file: `npx tsx bench/render.ts bench/results/<time>.json`
 * (when a later partial run overwrote it, or a run file is the one to show).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { markdown } from './markdown.js';

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/render.ts bench/results/<time>.json');
writeFileSync(new URL('./results/latest.md', import.meta.url), markdown(JSON.parse(readFileSync(file, 'utf8'))));
console.log(`bench/results/latest.md written from ${file}`);
