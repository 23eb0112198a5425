/**
 * The console's only way to the data: the JSON API itself, called in-process with the signed-in
 * user's token, so every read and write passes the same authentication, role, scope, validation
 * and audit as a curl would. The console keeps no rule and no SQL of its own.
 */
import { randomUUID } from 'node:crypto';
import type { Refusal } from './forms.js';

export interface ApiHost {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

export type Answer<T = any> = { ok: true; status: number; data: T } | { ok: false; refusal: Refusal };

export function apiClient(host: ApiHost, token: string, requestId?: string) {
  const send = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Answer<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (requestId) headers['x-request-id'] = requestId;
    const res = await host.request(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let data: any = text;
    try {
      data = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    if (res.ok) return { ok: true, status: res.status, data: data as T };
    const e = data?.error ?? {};
    return {
      ok: false,
      refusal: {
        status: res.status,
        code: String(e.code ?? res.status),
        message: String(e.message ?? text.slice(0, 200)),
        details: Array.isArray(e.details) ? e.details : [],
      },
    };
  };
  return {
    get: <T = any>(path: string) => send<T>('GET', path),
    post: <T = any>(path: string, body: unknown, idempotencyKey?: string) =>
      send<T>('POST', path, body, idempotencyKey),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** A fresh key for each rendered form: a double submit of the same form is applied once. */
export const newKey = () => `console-${randomUUID()}`;
