/**
 * Forms that post exactly the JSON bodies the API documents. A field's `name` is the path of its
 * value in that body (`interviews.superiors`, `target.personId`, `findings.0.severity`); the
 * console converts types (numbers, booleans, Beijing local times) and nothing else: every rule is
 * the API's, and each refusal detail is shown beside the field whose path it names.
 */
import type { Child } from 'hono/jsx';

export type FieldType =
  'text' | 'number' | 'date' | 'datetime' | 'select' | 'textarea' | 'json' | 'checkbox' | 'hidden';

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

/** The JSON body for the API from a submitted form. */
export function bodyFrom(fields: Field[], form: Record<string, string>): { body: unknown; errors: Issue[] } {
  const body: Record<string, unknown> = {};
  const errors: Issue[] = [];
  for (const f of fields) {
    // `_key` and the like are the console's own (the Idempotency-Key), never part of the body.
    if (f.name.startsWith('_')) continue;
    const raw = form[f.name];
    const type = f.type ?? 'text';
    let value: unknown;
    if (type === 'checkbox') value = raw === 'on' || raw === 'true';
    else if (raw === undefined || raw.trim() === '') {
      if (f.optional || type === 'hidden') continue;
      value = type === 'number' ? undefined : '';
      if (value === undefined) continue;
    } else if (f.boolean && (raw === 'true' || raw === 'false')) value = raw === 'true';
    else if (type === 'number') value = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (type === 'datetime') value = beijingLocalToIso(raw);
    else if (type === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        errors.push({ path: f.name, rule: '不是有效的 JSON（JSON 格式错误）' });
        continue;
      }
    } else value = raw;
    setPath(body, f.name, value);
  }
  return { body, errors };
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

/** The refusal's details that belong to a field (its path or beneath it), the rest for the form. */
export function issuesFor(fields: Field[], refusal: Refusal | undefined) {
  const byField = new Map<string, Issue[]>();
  const rest: Issue[] = [];
  for (const d of refusal?.details ?? []) {
    const path = d.path.replace(/^body\./, '');
    const field =
      fields.find((f) => f.name === path) ??
      fields.find((f) => path.startsWith(`${f.name}.`)) ??
      fields.find((f) => f.name.startsWith(`${path}.`));
    if (field && field.type !== 'hidden') byField.set(field.name, [...(byField.get(field.name) ?? []), d]);
    else rest.push(d);
  }
  return { byField, rest };
}

const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

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
  const { byField, rest } = issuesFor(props.fields, props.refusal);
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
        const id = fieldId(props.id, f.name);
        const issues = byField.get(f.name) ?? [];
        const errId = `${id}-error`;
        const describedBy = [f.hint ? `${id}-hint` : '', issues.length ? errId : ''].filter(Boolean).join(' ');
        const common = {
          id,
          name: f.name,
          ...(describedBy ? { 'aria-describedby': describedBy } : {}),
          ...(issues.length ? { 'aria-invalid': 'true' } : {}),
        };
        if (f.type === 'hidden') return <input type="hidden" name={f.name} value={v(f)} />;
        let control: Child;
        switch (f.type) {
          case 'select':
            control = (
              <select {...common}>
                {(f.options ?? []).map(([value, label]) => (
                  <option value={value} selected={v(f) === value}>
                    {label}
                  </option>
                ))}
              </select>
            );
            break;
          case 'textarea':
          case 'json':
            control = (
              <textarea {...common} rows={f.type === 'json' ? 10 : 3} spellcheck={f.type !== 'json'}>
                {v(f)}
              </textarea>
            );
            break;
          case 'checkbox':
            control = <input type="checkbox" {...common} checked={v(f) === 'on' || v(f) === 'true'} />;
            break;
          default:
            control = (
              <input
                {...common}
                type={
                  f.type === 'number'
                    ? 'number'
                    : f.type === 'date'
                      ? 'date'
                      : f.type === 'datetime'
                        ? 'datetime-local'
                        : 'text'
                }
                {...(f.type === 'number' ? { step: 'any' } : {})}
                value={v(f)}
              />
            );
        }
        return (
          <div class={`field${issues.length ? ' invalid' : ''}`}>
            <label for={id}>
              {f.label}
              {f.required ? <span aria-hidden="true"> *</span> : null}
            </label>
            {control}
            {f.hint ? (
              <small id={`${id}-hint`} class="hint">
                {f.hint}
              </small>
            ) : null}
            {issues.length ? (
              <div class="field-error" id={errId} role="alert">
                {issues.map((d) => (
                  <div>
                    {d.rule}
                    {d.path !== f.name ? <code> （{d.path}）</code> : null}
                  </div>
                ))}
              </div>
            ) : null}
          </div>
        );
      })}
      <button type="submit">{props.submit}</button>
    </form>
  );
}
