/**
 * A typed client for the API over HTTP: hono's `hc<AppType>`, so a test's requests and the bodies it
 * reads are typed from the routes' schemas. Every JSON answer it receives is also checked against
 * the response schema its route documents — a field the schema does not describe, or one it
 * describes wrongly, or a status the route does not document, fails the test — so /openapi.json
 * stays true to what the API sends.
 *
 * `read` turns a request into its answer (`{ status, body, headers }`, one member per documented
 * status, the body typed for it); `expectStatus` asserts the status and narrows the answer to it;
 * `ok` reads, asserts and gives the body (`bodyOf` for an answer already read); `errorOf` gives an
 * error answer's `error`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RouteConfig } from '@hono/zod-openapi';
import { hc, type ClientResponse } from 'hono/client';
import { expect } from 'vitest';
import type { z, ZodType } from 'zod';
import type { AppType } from '../../api/app.js';
import { errorSchema } from '../../api/openapi.js';
import * as campaigns from '../../api/routes/campaigns/campaigns.routes.js';
import * as candidates from '../../api/routes/candidates/candidates.routes.js';
import * as cycles from '../../api/routes/cycles/cycles.routes.js';
import * as jurisdictions from '../../api/routes/jurisdictions/jurisdictions.routes.js';
import * as reports from '../../api/routes/reports/reports.routes.js';
import * as reviews from '../../api/routes/reviews/reviews.routes.js';
import * as supervision from '../../api/routes/supervision/supervision.routes.js';
import * as system from '../../api/routes/system/system.routes.js';

const ROUTES = [campaigns, candidates, cycles, jurisdictions, reports, reviews, supervision, system]
  .flatMap((m) => Object.values(m as Record<string, unknown>))
  .filter((r): r is RouteConfig => typeof r === 'object' && r !== null && 'responses' in r && 'path' in r)
  .map((r) => ({
    route: r,
    params: (r.path.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  // A static segment wins over a parameter (/v1/reports/ledger over /v1/reports/{reportId}).
  .sort((a, b) => a.params - b.params);

/** The response schema a route documents for this method, path and status, if any. */
export function responseSchema(method: string, path: string, status: number): ZodType | undefined {
  const found = ROUTES.find((r) => r.route.method === method.toLowerCase() && r.pattern.test(path));
  const response = found?.route.responses[status] as
    { content?: { 'application/json'?: { schema?: ZodType } } } | undefined;
  return response?.content?.['application/json']?.schema;
}

/**
 * Parses `body` with the schema; what parsing drops or changes is a field the schema does not
 * describe as sent. Returns what is wrong, or nothing.
 */
export function nonConformance(schema: ZodType, body: unknown): string | undefined {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), body))
    return `fields the schema does not describe: ${undescribed(parsed.data, body).join(', ')}`;
  return undefined;
}

function undescribed(parsed: unknown, body: unknown, at = ''): string[] {
  if (typeof body !== 'object' || body === null) return isDeepStrictEqual(parsed, body) ? [] : [at || '(body)'];
  const p = (parsed ?? {}) as Record<string, unknown>;
  return Object.entries(body).flatMap(([k, v]) =>
    k in p ? undescribed(p[k], v, at ? `${at}.${k}` : k) : [at ? `${at}.${k}` : k],
  );
}

/** fetch, then the answer checked against its route's schema (errors included: they have one too). */
const conformingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  if (!res.headers.get('content-type')?.includes('application/json')) return res;
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  // Any route may answer an outage or an internal error (503/500/504), in the one error body.
  const schema = responseSchema(method, url.pathname, res.status) ?? (res.status >= 500 ? errorSchema : undefined);
  if (!schema) throw new Error(`${method} ${url.pathname} answered ${res.status}, which its route does not document`);
  const wrong = nonConformance(schema, await res.clone().json());
  if (wrong) throw new Error(`${method} ${url.pathname} ${res.status} does not match its response schema: ${wrong}`);
  return res;
};

/** A client for `baseUrl` acting with `token` (none: unauthenticated); `headers` go with every request. */
export function apiClient(baseUrl: string, token?: string, headers: Record<string, string> = {}) {
  return hc<AppType>(baseUrl, {
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    fetch: conformingFetch,
  });
}
export type ApiClient = ReturnType<typeof apiClient>;

/** An answer as a test reads it: one member per status the route documents, with that status's body. */
export type Answer<R> =
  R extends ClientResponse<infer T, infer S, infer _F> ? { status: S; body: T; headers: Headers } : never;
type AnyResponse = ClientResponse<unknown, number, string>;

/** The answer to a typed-client request: its status, its body (as the route documents it) and headers. */
export async function read<R extends AnyResponse>(request: Promise<R>): Promise<Answer<R>> {
  const res = await request;
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new Error(`${res.url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers } as Answer<R>;
}

/** Expects the answer's status (naming its body when it differs) and narrows the answer to it. */
export function expectStatus<A extends { status: number; body: unknown }, S extends A['status']>(
  answer: A,
  status: S,
  what?: string,
): asserts answer is Extract<A, { status: S }> {
  expect(answer.status, `${what ? `${what}: ` : ''}${JSON.stringify(answer.body)}`).toBe(status);
}

/** The body of an answer expected with `status` (200 unless said): read, the status asserted, narrowed. */
export async function ok<R extends AnyResponse, S extends Answer<R>['status'] = 200 & Answer<R>['status']>(
  request: Promise<R>,
  status?: S,
  what?: string,
): Promise<Extract<Answer<R>, { status: S }>['body']> {
  const answer = await read(request);
  expectStatus(answer, (status ?? 200) as S, what);
  return answer.body;
}

/** The body of an answer already read, its status asserted (as `expectStatus`) and the body narrowed. */
export function bodyOf<A extends { status: number; body: unknown }, S extends A['status']>(
  answer: A,
  status: S,
  what?: string,
): Extract<A, { status: S }>['body'] {
  expectStatus(answer, status, what);
  return answer.body;
}

type ErrorBody = z.infer<typeof errorSchema>['error'];
/** The `error` of an error answer (every route's errors share one body); undefined for a success. */
export function errorOf(answer: { body: unknown }): ErrorBody | undefined {
  return (answer.body as { error?: ErrorBody } | undefined)?.error;
}
