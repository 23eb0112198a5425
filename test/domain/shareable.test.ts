// What worker/shared-modules.ts asks of the modules the workflow bundle shares among workflows: the
// SDK deep-freezes their exports, so no export may be a zod schema or hold one, no exported RegExp
// may be written to by a test, and every schema must still parse once the exports are frozen.
import { describe, expect, it } from 'vitest';
import { sharedWorkflowModules } from '../../worker/shared-modules.js';

const isSchema = (v: unknown) => typeof v === 'object' && v !== null && '_zod' in v;

/** The SDK's deepFreeze (reusable-vm.js): own properties of objects, recursively; functions shallowly. */
function deepFreeze(o: unknown, seen = new WeakSet<object>()): void {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
  seen.add(o);
  if (typeof o === 'object')
    for (const k of Reflect.ownKeys(o)) deepFreeze((o as Record<PropertyKey, unknown>)[k], seen);
  try {
    Object.freeze(o);
  } catch {
    // as the SDK, which skips what cannot be frozen (here also Node's module namespaces, plain objects in the bundle)
  }
}

/** Every object reachable from an export the way deepFreeze walks it. */
function reachable(o: unknown, out: unknown[] = [], seen = new WeakSet<object>()): unknown[] {
  if (o === null || typeof o !== 'object' || seen.has(o)) return out;
  seen.add(o);
  out.push(o);
  for (const k of Reflect.ownKeys(o)) reachable((o as Record<PropertyKey, unknown>)[k], out, seen);
  return out;
}

const modules = await Promise.all(
  sharedWorkflowModules.map(async (path) => ({
    path: path.slice(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1),
    exports: (await import(path)) as Record<string, unknown>,
  })),
);

describe('modules the workflow bundle shares', () => {
  it('are all of domain/ but domain/eager/, after zod', () => {
    expect(modules[0]!.path).toBe('worker/zod-preload.ts');
    expect(modules.map((m) => m.path)).toContain('domain/policy.ts');
    expect(modules.map((m) => m.path)).toContain('cycle/inputs.ts');
    expect(modules.some((m) => m.path.includes('eager/'))).toBe(false);
  });

  it('export no zod schema, and no RegExp a test or match would write lastIndex to', () => {
    for (const { path, exports } of modules)
      for (const [name, value] of Object.entries(exports))
        for (const o of reachable(value)) {
          expect(isSchema(o), `${path}: ${name} holds a zod schema`).toBe(false);
          if (o instanceof RegExp) expect(o.global || o.sticky, `${path}: ${name} is /g or /y`).toBe(false);
        }
  });

  it('build each schema once, on first call, and parse with their exports frozen', async () => {
    // As in the bundle: zod and its global config are shared and frozen too.
    for (const v of Object.values(await import('zod'))) deepFreeze(v);
    deepFreeze((globalThis as { __zod_globalConfig?: unknown }).__zod_globalConfig);
    for (const { exports } of modules) deepFreeze(exports);
    const schemas = modules.flatMap(({ path, exports }) =>
      Object.entries(exports)
        .filter(([name, f]) => typeof f === 'function' && (name.endsWith('Schema') || name === 'count'))
        .map(([name, f]) => ({ name: `${path}: ${name}`, get: f as () => { safeParse(v: unknown): unknown } })),
    );
    expect(schemas.length).toBeGreaterThan(40);
    for (const { name, get } of schemas) {
      expect(isSchema(get()), name).toBe(true);
      expect(get(), name).toBe(get());
      // An unexpected shape walks the whole schema; zod must not write to anything frozen on the way.
      expect(() => get().safeParse({ unexpected: 'x' }), name).not.toThrow();
    }
    const { policySchema } = await import('../../domain/policy.js');
    const { isoDateSchema, personIdSchema } = await import('../../domain/schemas.js');
    const { yearOverrideSchema } = await import('../../domain/calendar.js');
    // Regex and date checks, the ones that wrote to a frozen RegExp when zod's own were shared.
    expect(personIdSchema().safeParse('p-1').success).toBe(true);
    expect(personIdSchema().safeParse('张三').success).toBe(false);
    expect(isoDateSchema().safeParse('2026-02-28').success).toBe(true);
    expect(isoDateSchema().safeParse('2026-02-30').success).toBe(false);
    expect(yearOverrideSchema().safeParse({ year: 2099, holidays: ['2099-01-01'], workdays: [] }).success).toBe(true);
    // Two parses get two defaults: a shared default would be one list for every policy.
    const a = policySchema().parse({});
    const b = policySchema().parse({});
    expect(a).toEqual(b);
    expect(a.calendar).not.toBe(b.calendar);
    expect(a.jointReview.departments).not.toBe(b.jointReview.departments);
  });
});
