/**
 * Forms that post exactly the JSON bodies the API documents. A field's `name` is the path of its
 * value in that body (`interviews.superiors`, `target.personId`, `findings.0.severity`); the
 * console converts types (numbers, booleans, Beijing local times) and nothing else: every rule is
 * the API's, and each refusal detail is shown beside the field whose path it names.
 */
import type { Child } from 'hono/jsx';

export type FieldType =
  'text' | 'number' | 'date' | 'datetime' | 'select' | 'textarea' | 'json' | 'checkbox' | 'hidden' | 'value' | 'list';

export interface Field {
  name: string;
  label: string;
  type?: FieldType;
  options?: readonly (readonly [string, string])[];
  value?: string;
  required?: boolean;
  hint?: string;
  /** Leave the key out of the body when the field is empty (optional in the API). */
  optional?: boolean;
  /** A select whose values are `true` / `false`, sent as a JSON boolean. */
  boolean?: boolean;
  /**
   * A list (`type: 'list'`): the cells of one row, named relative to the row (`title`,
   * `rectification.owner`; `''` for a list of plain values). Row `i`'s cell is `name.i.cell`.
   */
  columns?: Field[];
  /** A list's rows shown filled in, each by cell name. */
  rows?: Record<string, string>[];
  /** Blank rows offered after the filled ones: without a script, the only way to add rows. */
  blank?: number;
}

export interface Issue {
  path: string;
  rule: string;
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
  details: Issue[];
}

/**
 * The list's items may sit at other indices in the body than on the page (left-blank rows are
 * dropped): `[bodyPrefix, pagePrefix]` pairs turn a refusal's path back into the row's field.
 */
export type Renames = [string, string][];

const cellName = (list: string, i: number | string, col: string) => (col ? `${list}.${i}.${col}` : `${list}.${i}`);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The row indices a submitted form holds for a list, in order (gaps where rows were removed). */
function rowIndices(list: string, form: Record<string, string>): number[] {
  const re = new RegExp(`^${escapeRe(list)}\\.(\\d+)(?:\\.|$)`);
  const seen = new Set<number>();
  for (const k of Object.keys(form)) {
    const m = re.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

type Converted = { value: unknown } | { skip: true } | { error: string };

/** One field's typed value from what was typed: types only, never a rule. */
function convert(f: Field, raw: string | undefined): Converted {
  const type = f.type ?? 'text';
  if (type === 'checkbox') return { value: raw === 'on' || raw === 'true' };
  if (raw === undefined || raw.trim() === '') {
    if (f.optional || type === 'hidden' || type === 'number') return { skip: true };
    return { value: '' };
  }
  if (f.boolean && (raw === 'true' || raw === 'false')) return { value: raw === 'true' };
  if (type === 'number') return { value: Number.isFinite(Number(raw)) ? Number(raw) : raw };
  if (type === 'datetime') return { value: beijingLocalToIso(raw) };
  if (type === 'value') return { value: scalar(raw) };
  if (type === 'json') {
    try {
      return { value: JSON.parse(raw) };
    } catch {
      return { error: '不是有效的 JSON（JSON 格式错误）' };
    }
  }
  return { value: raw };
}

/** A cell the API takes as text, number or yes/no: a number or true/false (是/否) is sent as such. */
function scalar(raw: string): unknown {
  const t = raw.trim();
  if (t === 'true' || t === '是') return true;
  if (t === 'false' || t === '否') return false;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : raw;
}

/** The JSON body for the API from a submitted form. */
export function bodyFrom(
  fields: Field[],
  form: Record<string, string>,
): { body: unknown; errors: Issue[]; renames: Renames } {
  const body: Record<string, unknown> = {};
  const errors: Issue[] = [];
  const renames: Renames = [];
  for (const f of fields) {
    // `_key` and the like are the console's own (the Idempotency-Key), never part of the body.
    if (f.name.startsWith('_')) continue;
    if (f.type === 'list') {
      const items: unknown[] = [];
      for (const i of rowIndices(f.name, form)) {
        const cells = (f.columns ?? []).map((col) => [col, form[cellName(f.name, i, col.name)]] as const);
        // A row left blank is not an item: without a script the page offers spare rows.
        if (cells.every(([col, raw]) => (col.type === 'checkbox' ? raw !== 'on' : (raw ?? '').trim() === ''))) continue;
        let item: unknown = {};
        for (const [col, raw] of cells) {
          const c = convert(col, raw);
          if ('error' in c) errors.push({ path: cellName(f.name, i, col.name), rule: c.error });
          else if ('value' in c) {
            if (col.name === '') item = c.value;
            else setPath(item as Record<string, unknown>, col.name, c.value);
          }
        }
        if (items.length !== i) renames.push([`${f.name}.${items.length}`, `${f.name}.${i}`]);
        items.push(item);
      }
      // An optional list with no rows is left out, like any empty optional field.
      if (items.length > 0 || !f.optional) setPath(body, f.name, items);
      continue;
    }
    const c = convert(f, form[f.name]);
    if ('error' in c) errors.push({ path: f.name, rule: c.error });
    else if ('value' in c) setPath(body, f.name, c.value);
  }
  return { body, errors, renames };
}

/** A refusal's path (from the body) as the path of the field on the page. */
export function pagePath(path: string, renames: Renames): string {
  // The API's rule refusals (422) write list items as `tallies[1].persons`, its schema refusals (400)
  // as `tallies.1.persons`: one notation here, so both land at the row the person typed in.
  const bare = path.replace(/^body\./, '').replace(/\[(\d+)\]/g, '.$1');
  // Longest first: an outer list's row renamed before an inner one would misplace it.
  for (const [from, to] of [...renames].sort((a, b) => b[0].length - a[0].length))
    if (bare === from || bare.startsWith(`${from}.`)) return to + bare.slice(from.length);
  return bare;
}

/** `2026-09-29T10:15` typed on a Beijing clock → `2026-09-29T10:15:00+08:00`. */
export function beijingLocalToIso(local: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? `${local}:00+08:00` : local;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let node: any = target;
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    const key: string | number = /^\d+$/.test(p) ? Number(p) : p;
    if (last) node[key] = value;
    else {
      if (node[key] === undefined) node[key] = /^\d+$/.test(parts[i + 1]!) ? [] : {};
      node = node[key];
    }
  });
}

/** The rows a list shows: those submitted (at their indices) or those filled in, then the blank ones. */
function rowsShown(f: Field, values: Record<string, string> | undefined): number[] {
  const submitted = values ? rowIndices(f.name, values) : [];
  const filled = submitted.length ? submitted : (f.rows ?? []).map((_, i) => i);
  const next = filled.length ? Math.max(...filled) + 1 : 0;
  return [...filled, ...Array.from({ length: f.blank ?? 2 }, (_, k) => next + k)];
}

/** Every field a refusal can name: plain fields, lists, and each shown row's cells. */
function leaves(fields: Field[], values: Record<string, string> | undefined): Field[] {
  return fields.flatMap((f) =>
    f.type === 'list'
      ? [
          f,
          ...rowsShown(f, values).flatMap((i) =>
            (f.columns ?? []).map((col) => ({ ...col, name: cellName(f.name, i, col.name) })),
          ),
        ]
      : [f],
  );
}

/** The refusal's details that belong to a field (its path or beneath it), the rest for the form. */
export function issuesFor(fields: Field[], refusal: Refusal | undefined, values?: Record<string, string>) {
  const byField = new Map<string, Issue[]>();
  const rest: Issue[] = [];
  const all = leaves(fields, values).filter((f) => f.type !== 'hidden');
  const deepestFirst = [...all].sort((a, b) => b.name.length - a.name.length);
  for (const d of refusal?.details ?? []) {
    const path = d.path.replace(/^body\./, '');
    // Its own field; else the first field beneath it (`findings.0.rectification` → that row's
    // owner cell, not the whole list); else the nearest field above it.
    const field =
      all.find((f) => f.name === path) ??
      all.find((f) => f.name.startsWith(`${path}.`)) ??
      deepestFirst.find((f) => path.startsWith(`${f.name}.`));
    if (field) byField.set(field.name, [...(byField.get(field.name) ?? []), d]);
    else rest.push(d);
  }
  return { byField, rest };
}

const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** One input, select or textarea with its id, name and the ARIA that ties it to its hint and error. */
function Control(props: { f: Field; id: string; name: string; value: string; issues: Issue[]; hint: boolean }) {
  const { f, id, value, issues } = props;
  const describedBy = [props.hint ? `${id}-hint` : '', issues.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    name: props.name,
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
    ...(issues.length ? { 'aria-invalid': 'true' } : {}),
  };
  switch (f.type) {
    case 'select':
      return (
        <select {...common}>
          {(f.options ?? []).map(([v, label]) => (
            <option value={v} selected={value === v}>
              {label}
            </option>
          ))}
        </select>
      );
    case 'textarea':
    case 'json':
      return (
        <textarea {...common} rows={f.type === 'json' ? 10 : 3} spellcheck={f.type !== 'json'}>
          {value}
        </textarea>
      );
    case 'checkbox':
      return <input type="checkbox" {...common} checked={value === 'on' || value === 'true'} />;
    default: {
      const types: Partial<Record<FieldType, string>> = { number: 'number', date: 'date', datetime: 'datetime-local' };
      const type = types[f.type ?? 'text'] ?? 'text';
      return <input {...common} type={type} {...(f.type === 'number' ? { step: 'any' } : {})} value={value} />;
    }
  }
}

function Errors(props: { id: string; name: string; issues: Issue[] }) {
  return props.issues.length ? (
    <div class="field-error" id={`${props.id}-error`} role="alert">
      {props.issues.map((d) => (
        <div>
          {d.rule}
          {d.path.replace(/^body\./, '') !== props.name ? <code> （{d.path}）</code> : null}
        </div>
      ))}
    </div>
  ) : null;
}

/** A field's name, marked when required (in a label or a list's legend). */
function Label({ f }: { f: Field }) {
  return (
    <>
      {f.label}
      {f.required ? <span aria-hidden="true"> *</span> : null}
    </>
  );
}

/** A field's hint and the refusals naming it, under the control (a list's under its legend). */
function HintAndErrors(props: { f: Field; id: string; issues: Issue[] }) {
  return (
    <>
      {props.f.hint ? (
        <small id={`${props.id}-hint`} class="hint">
          {props.f.hint}
        </small>
      ) : null}
      <Errors id={props.id} name={props.f.name} issues={props.issues} />
    </>
  );
}

/**
 * A list as repeated rows of labelled cells. Without a script the blank rows are the way to add
 * (a row left blank is dropped) and emptying a row removes it; /console/assets/console.js adds the
 * 添加一行 and 删除 buttons, copying the row template with the next free index.
 */
function ListField(props: {
  form: string;
  f: Field;
  values: Record<string, string> | undefined;
  byField: Map<string, Issue[]>;
}) {
  const { f, form } = props;
  const id = fieldId(form, f.name);
  const issues = props.byField.get(f.name) ?? [];
  const cols = f.columns ?? [];
  const value = (i: number, col: Field) =>
    props.values ? (props.values[cellName(f.name, i, col.name)] ?? '') : (f.rows?.[i]?.[col.name] ?? '');
  const Row = (p: { i: number | string; n: number | string }) => (
    <tr data-row={String(p.i)}>
      {cols
        .filter((col) => col.type !== 'hidden')
        .map((col) => {
          const name = cellName(f.name, p.i, col.name);
          const cid = fieldId(form, name);
          const cellIssues = props.byField.get(name) ?? [];
          return (
            <td class={cellIssues.length ? 'invalid' : undefined}>
              <label class="sr" for={cid}>
                {`${col.label}（第 ${p.n} 行）`}
              </label>
              <Control
                f={col}
                id={cid}
                name={name}
                value={typeof p.i === 'number' ? value(p.i, col) : ''}
                issues={cellIssues}
                hint={false}
              />
              <Errors id={cid} name={name} issues={cellIssues} />
            </td>
          );
        })}
      <td>
        {cols
          .filter((col) => col.type === 'hidden')
          .map((col) => (
            <input
              type="hidden"
              name={cellName(f.name, p.i, col.name)}
              value={typeof p.i === 'number' ? value(p.i, col) : ''}
            />
          ))}
        <button type="button" data-remove-row hidden aria-label={`删除第 ${p.n} 行`}>
          删除
        </button>
      </td>
    </tr>
  );
  const shown = rowsShown(f, props.values);
  return (
    <fieldset
      class={`field list${issues.length ? ' invalid' : ''}`}
      id={id}
      data-list={f.name}
      {...(f.hint || issues.length
        ? { 'aria-describedby': [f.hint ? `${id}-hint` : '', issues.length ? `${id}-error` : ''].join(' ').trim() }
        : {})}
    >
      <legend>
        <Label f={f} />
      </legend>
      <HintAndErrors f={f} id={id} issues={issues} />
      <table class="rows">
        <thead>
          <tr>
            {cols
              .filter((col) => col.type !== 'hidden')
              .map((col) => (
                <th scope="col">{col.label}</th>
              ))}
            <th scope="col">
              <span class="sr">操作</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((i, k) => (
            <Row i={i} n={k + 1} />
          ))}
        </tbody>
      </table>
      <template>
        <Row i="__i__" n="__n__" />
      </template>
      <button type="button" data-add-row hidden>
        添加一行
      </button>
    </fieldset>
  );
}

export function Form(props: {
  id: string;
  action: string;
  title: string;
  fields: Field[];
  submit: string;
  values?: Record<string, string> | undefined;
  refusal?: Refusal | undefined;
  children?: Child;
}) {
  const { byField, rest } = issuesFor(props.fields, props.refusal, props.values);
  // The console's own fields (`_key`) are always fresh: a corrected resubmission is a new request.
  const v = (f: Field) => (f.name.startsWith('_') ? (f.value ?? '') : (props.values?.[f.name] ?? f.value ?? ''));
  return (
    <form method="post" action={props.action} id={props.id} class="card" novalidate>
      <h3>{props.title}</h3>
      {props.children}
      {props.refusal ? (
        <div class="refusal" role="alert" id={`${props.id}-refusal`}>
          <strong>未被接受（{props.refusal.code}）：</strong>
          {props.refusal.message}
          {rest.length > 0 ? (
            <ul>
              {rest.map((d) => (
                <li>
                  <code>{d.path}</code>：{d.rule}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {props.fields.map((f) => {
        if (f.type === 'hidden') return <input type="hidden" name={f.name} value={v(f)} />;
        if (f.type === 'list') return <ListField form={props.id} f={f} values={props.values} byField={byField} />;
        const id = fieldId(props.id, f.name);
        const issues = byField.get(f.name) ?? [];
        return (
          <div class={`field${issues.length ? ' invalid' : ''}`}>
            <label for={id}>
              <Label f={f} />
            </label>
            <Control f={f} id={id} name={f.name} value={v(f)} issues={issues} hint={Boolean(f.hint)} />
            <HintAndErrors f={f} id={id} issues={issues} />
          </div>
        );
      })}
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/**
 * The console's one script, for the list fields' 添加一行 / 删除 buttons (hidden until it runs, so
 * a page without scripts shows no dead buttons). A new row copies the list's row template with the
 * next free index; the gaps removal leaves are harmless (the body is built from the rows present).
 */
export const SCRIPT = `
(function () {
  function reveal(root) {
    root.querySelectorAll('[data-add-row],[data-remove-row]').forEach(function (b) { b.hidden = false; });
  }
  function firstControl(root) { return root && root.querySelector('input:not([type=hidden]),select,textarea'); }
  document.addEventListener('click', function (e) {
    var add = e.target.closest('[data-add-row]');
    var remove = e.target.closest('[data-remove-row]');
    if (add) {
      var list = add.closest('[data-list]');
      var body = list.querySelector('tbody');
      var rows = body.querySelectorAll('tr[data-row]');
      var next = 0;
      rows.forEach(function (r) { next = Math.max(next, Number(r.getAttribute('data-row')) + 1); });
      var html = list.querySelector('template').innerHTML;
      body.insertAdjacentHTML('beforeend', html.split('__i__').join(String(next)).split('__n__').join(String(rows.length + 1)));
      reveal(body.lastElementChild);
      firstControl(body.lastElementChild).focus();
    } else if (remove) {
      var row = remove.closest('tr');
      var owner = row.closest('[data-list]');
      var after = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (firstControl(after) || owner.querySelector('[data-add-row]')).focus();
    }
  });
  reveal(document);
})();
`;
