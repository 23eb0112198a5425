/** Whose a new jurisdiction id is (domain/jurisdiction-ids.ts): inside its parent's, never another place's code. */
import { describe, expect, it } from 'vitest';
import { codePrefix, idRule, idUnderParent, idWithin } from '../../domain/jurisdiction-ids.js';

describe('a new jurisdiction id lies inside its parent’s', () => {
  it('reads a division code without the zeros that pad it', () => {
    expect(['440000', '440300', '440306', '440306004', '440306004000', '441900003012'].map(codePrefix)).toEqual([
      '44',
      '4403',
      '440306',
      '440306004',
      '440306004',
      '441900003012',
    ]);
  });

  it('takes codes under the parent’s: a city’s districts and townships, a district’s 街道, a 街道’s 社区', () => {
    for (const [parent, id] of [
      ['440000', '440300'],
      ['440300', '440306'],
      ['440300', '440300001'],
      ['441900', '441900003'],
      ['440306', '440306004'],
      ['440306004', '440306004012'],
    ])
      expect(idUnderParent(id!, parent!), `${id} under ${parent}`).toBe(true);
  });

  it('refuses another place’s code, the parent’s own, a code only padded longer, and any code out of step', () => {
    for (const [parent, id] of [
      ['440306', '440305001'], // 南山区's 街道 under 宝安区 (found from outside)
      ['440306', '110000'], // 北京市 under 宝安区 (found from outside)
      ['440300', '440400'], // 珠海市 under 深圳市
      ['440300', '440300'],
      ['440306', '440306000'],
      ['440300', '440306903'], // 宝安区's 街道 under 深圳市 (found from outside)
      ['440306', '440306001000'], // a 街道's code padded to a village's
      ['440306', '440306001012'], // a village under the district, not its 街道
      ['440306001', '440306'],
      ['440000', '4403'],
      ['440306', 'DA-1'],
    ])
      expect(idUnderParent(id!, parent!), `${id} under ${parent}`).toBe(false);
  });

  it('takes any other id only after its parent’s and a dash', () => {
    expect(idUnderParent('440300-qianhai', '440300')).toBe(true);
    expect(idUnderParent('DA-1-east', 'DA-1')).toBe(true);
    expect(idUnderParent('DA-1', 'DA')).toBe(true);
    expect(idUnderParent('440300-', '440300')).toBe(false);
    expect(idUnderParent('440300qianhai', '440300')).toBe(false);
    expect(idUnderParent('DA-2', 'DA-1')).toBe(false);
    expect(idUnderParent('110000', 'DA-1')).toBe(false);
  });

  it('lies in its creator’s ids too: a row taken before the rule opens no other place’s codes under it', () => {
    for (const [id, scope] of [
      ['440306099', '440306'],
      ['440306-konggang-east', '440306'],
      ['440306001001', '440300'],
      ['440300-B0000', '440000'],
      ['440500', '440000'],
    ])
      expect(idWithin(id!, scope!), `${id} within ${scope}`).toBe(true);
    for (const [id, scope] of [
      ['110108', '440306'], // under a 110000 created under 宝安区 before the rule (found from outside)
      ['440305001001', '440306'], // under a 440305001 created so
      ['DA-1-east', '440300'],
      ['4403060-x', '440306'],
    ])
      expect(idWithin(id!, scope!), `${id} within ${scope}`).toBe(false);
  });

  it('names the rule a refusal gives', () => {
    expect(idRule('440306')).toBe(
      "a division code under 440306's (starting 440306, then digits of its own, not zeros alone), or 440306- followed by a name of its own",
    );
    expect(idRule('DA-1')).toBe('DA-1- followed by a name of its own');
  });
});
