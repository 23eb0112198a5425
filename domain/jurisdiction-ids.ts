/**
 * Whose a new jurisdiction id is. Ids are one namespace for the whole country, and scope is decided by
 * them: a row created under the wrong id takes that id from its owner for good (found from outside,
 * 12-07: 宝安区 created 南山区's township code 440305001 and 北京市's code 110000 under itself; 南山区 could
 * no longer create its township, the operator no longer make 110000 a root, and tokens scoped 110000
 * acted inside 宝安区's subtree). So a row created by anyone but the operator takes an id inside its
 * parent's:
 *
 * - a division code (行政区划代码: 6 digits, 9 for a township, 12 for a village) extends its parent's
 *   code without the parent's trailing zeros: under 440000 (广东省) 44xxxx, under 440300 (深圳市) 4403xx
 *   or 440300xxx, under 440306 (宝安区) 440306xxx, under 440306004 440306004xxx;
 * - any other id starts with its parent's id and a `-` (`440300-qianhai` for a 功能区 under 深圳市).
 */

const CODE = /^(?:\d{6}|\d{9}|\d{12})$/;

/** A division code without the zeros that only pad it to its length: what every code under it starts with. */
export function codePrefix(code: string): string {
  if (code.length > 6 && /0{3}$/.test(code)) return codePrefix(code.slice(0, -3));
  return code.length === 6 ? code.replace(/(?:00){1,2}$/, '') : code;
}

/** Whether code `id` lies anywhere under code `scope` (starts with its significant digits, and is finer). */
function codeWithin(id: string, scope: string): boolean {
  const prefix = codePrefix(scope);
  return id.startsWith(prefix) && codePrefix(id).length > prefix.length;
}

/** Whether `id` lies in `parentId`'s part of the namespace (see above). */
export function idUnderParent(id: string, parentId: string): boolean {
  if (CODE.test(parentId) && CODE.test(id)) {
    if (!codeWithin(id, parentId)) return false;
    // A 街道's code is its county's (or its city's, where the city has no districts) and three digits, a
    // village's its 街道's: 440306903 is 宝安区's 街道 even where 深圳市 creates it (found from outside).
    if (id.length === 9) return parentId === id.slice(0, 6);
    if (id.length === 12) return parentId === id.slice(0, 9);
    return parentId.length === 6;
  }
  return id.startsWith(`${parentId}-`) && id.length > parentId.length + 1;
}

/**
 * Whether `id` lies in `scope`'s own part of the namespace: `scope` itself, a division code under its
 * code, or `<an id within it>-<name>`. A new row must lie in its creator's too, not only in its parent's:
 * under a row taken before this rule (another province's code created under a district), the parent's
 * rule alone let the district create that province's every code (found from outside, 12-07).
 */
export function idWithin(id: string, scope: string): boolean {
  if (id === scope) return true;
  if (CODE.test(id) && CODE.test(scope)) return codeWithin(id, scope);
  for (let dash = id.lastIndexOf('-'); dash > 0; dash = id.lastIndexOf('-', dash - 1))
    if (idWithin(id.slice(0, dash), scope)) return true;
  return false;
}

/** The rule as a refusal names it. */
export function idRule(parentId: string): string {
  if (CODE.test(parentId)) {
    const prefix = codePrefix(parentId);
    return `a division code under ${parentId}'s (starting ${prefix}, then digits of its own, not zeros alone), or ${parentId}- followed by a name of its own`;
  }
  return `${parentId}- followed by a name of its own`;
}
