/**
 * Who the console's user is: the same bearer token the API takes, kept in an HttpOnly,
 * SameSite=Strict cookie so page scripts never read it. The console never decides what a token
 * may do: it forwards the token to the API, which checks role and scope as for any caller.
 *
 * Cookie-authenticated POSTs are guarded twice against cross-site requests: SameSite=Strict keeps
 * the cookie off them, and a POST is accepted only when its Origin (or, without one, its Referer)
 * is this very console's origin.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { decode } from 'hono/jwt';

export const COOKIE = 'huanjie_token';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface SessionUser {
  token: string;
  sub: string;
  roles: string[];
  scope: string;
  exp: number;
}

/**
 * The signed-in user as the token SAYS (for the menu and links only): the signature is not checked
 * here — every page reads through the API, which verifies it and refuses a forged one.
 */
export function currentUser(c: Context): SessionUser | undefined {
  const token = getCookie(c, COOKIE);
  if (!token || !TOKEN_SHAPE.test(token)) return undefined;
  try {
    const { payload } = decode(token);
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) return undefined;
    return {
      token,
      sub: String(payload.sub ?? ''),
      roles,
      scope: String(payload.scope ?? ''),
      exp: Number(payload.exp ?? 0),
    };
  } catch {
    return undefined;
  }
}

export function isTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

export function signIn(c: Context, token: string, exp: number) {
  const secure = new URL(c.req.url).protocol === 'https:';
  setCookie(c, COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    path: '/console',
    // No longer than the token itself lives.
    maxAge: Math.max(0, Math.floor(exp - Date.now() / 1000)),
  });
}

export function signOut(c: Context) {
  deleteCookie(c, COOKIE, { path: '/console' });
}

/** Refuses a state-changing request that does not come from a page of this console. */
export const sameOrigin: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const own = new URL(c.req.url).origin;
    const origin = c.req.header('origin');
    const referer = c.req.header('referer');
    const from = origin ?? (referer ? safeOrigin(referer) : undefined);
    if (from !== own) {
      return c.text('跨站请求被拒绝：请从控制台页面提交（Origin 与本站不符）', 403);
    }
  }
  await next();
};

/**
 * Local mode only: the console answers only requests addressed to this machine by a loopback name.
 * Local sign-in mints a token for any role, and a page whose own domain is re-pointed at 127.0.0.1
 * (DNS rebinding) would otherwise be same-origin to the console — its Host and Origin agree.
 */
export const loopbackHostOnly: MiddlewareHandler = async (c, next) => {
  if (!isLoopbackHost(c.req.header('host'))) {
    return c.text('本地模式只接受发往本机（localhost、127.0.0.1、[::1]）的请求', 403);
  }
  await next();
};

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
