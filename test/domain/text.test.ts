import { describe, expect, it } from 'vitest';
import { invisibleOnlyTextPaths, showsOnlyInvisible } from '../../domain/text.js';

describe('text that shows nothing', () => {
  it.each([
    ['a zero-width space', '\u200b'],
    ['a word joiner among spaces', ' \u2060 '],
    ['a byte-order mark and a zero-width joiner', '\u200d\u2063'],
    ['a combining grapheme joiner', '\u034f'],
    ['a Hangul filler', '\u3164'],
    ['the braille blank and a variation selector', '\u2800\ufe0f'],
    ['the musical null notehead', '\u{1d159}\u{1d159}'],
    ['the object replacement character', '\ufffc'],
  ])('%s is invisible only', (_, text) => {
    expect(showsOnlyInvisible(text)).toBe(true);
  });

  it.each([
    ['words', '确需低于差额比例'],
    ['a word behind a zero-width space', '\u200b说明'],
    ['a digit', '\u20601'],
    ['an emoji with its selector', '\u2764\ufe0f'],
    ['spaces alone (left to each field, which trims them)', '   '],
    ['nothing', ''],
  ])('%s is not', (_, text) => {
    expect(showsOnlyInvisible(text)).toBe(false);
  });

  it('names every such string in a body by its path', () => {
    const body = { rounds: [{ belowRatioReason: '\u200b', note: 'ok' }], reason: '\u2060', title: '副区长' };
    expect(invisibleOnlyTextPaths(body)).toEqual(['rounds.0.belowRatioReason', 'reason']);
  });
});
