/**
 * A typed client for the API over HTTP: hono's `hc<AppType>`, so a test's requests and the bodies it
 * reads are typed from the routes' schemas. Every JSON answer it receives is also checked against
 * the response schema its route documents — a field the schema does not describe, or one it
 * describes wrongly, fails the test — so /openapi.json stays true to what the API sends.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RouteConfig } from '@hono/zod-openapi';
import { hc } from 'hono/client';
import type { ZodType } from 'zod';
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

/** A client for `baseUrl` acting with `token`; `headers` are sent with every request. */
export function apiClient(baseUrl: string, token: string, headers: Record<string, string> = {}) {
  return hc<AppType>(baseUrl, { headers: { authorization: `Bearer ${token}`, ...headers }, fetch: conformingFetch });
}
export type ApiClient = ReturnType<typeof apiClient>;
