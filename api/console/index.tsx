/**
 * The people's console (/console): server-rendered pages in Chinese for every role. Each handler
 * reads and writes through the JSON API in-process with the signed-in user's token (client.ts) and
 * renders the answer, or the API's refusal beside the field it names. Nothing here decides who may
 * do what or whether an input is right.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { signToken } from '../auth.js';
import { IDEMPOTENCY_KEY } from '../guards.js';
import { apiClient, newKey } from './client.js';
import { SCRIPT, bodyFrom, pagePath } from './forms.js';
import { CSS, Layout } from './layout.js';
import { currentUser, isTokenShaped, loopbackHostOnly, sameOrigin, signIn, signOut } from './session.js';
import { cyclePages } from './pages/cycle.js';
import { overviewPage } from './pages/overview.js';
import { inboxPages } from './pages/inbox.js';
import { reportPages } from './pages/reports.js';
import { supervisionPages } from './pages/supervision.js';
import { ledgerPages } from './pages/ledger.js';
import { SignInPage } from './pages/signin.js';
import { visibly } from './view.js';

export type { ConsoleContext, ConsoleDeps, ConsoleEnv, ConsoleOptions, Failed, PageKit } from './kit.js';
import type { ConsoleDeps, ConsoleEnv, PageKit } from './kit.js';

/**
 * A form's fields. A body its content type does not describe (multipart without parts, found from
 * outside: a 500) is the client's mistake: 400, never an internal error.
 */
async function formBody(c: Context<ConsoleEnv>): Promise<Record<string, string | File>> {
  try {
    return await c.req.parseBody();
  } catch {
    throw new HTTPException(400, { message: 'the form body does not match its content type' });
  }
}

export function consoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const ui = deps.options.temporalUiUrl?.replace(/\/$/, '');
  const ns = encodeURIComponent(deps.options.namespace ?? 'default');
  const kit: PageKit = {
    deps,
    api: (c) => apiClient(deps.api, c.get('user').token, c.get('requestId')),
    form: async (c) => {
      const parsed = await formBody(c);
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    },
    submit: async (c, path, fields, form) => {
      const { body, errors, renames } = bodyFrom(fields, form);
      if (errors.length > 0)
        return {
          ok: false,
          refusal: { status: 400, code: 'FORM', message: '表单内容无法转换为请求', details: errors },
        };
      // The form's key goes out as a header. One the API would not take (a NUL, a line break, text
      // a header cannot carry) is the page's own key tampered with: a fresh one is used, not a 500.
      const key = form._key && IDEMPOTENCY_KEY.test(form._key) ? form._key : undefined;
      const answer = await kit.api(c).post(path, body, key);
      if (answer.ok) return { ok: true, data: answer.data };
      // The API names the item in the body; the page shows it at its row (blank rows were left out).
      const details = answer.refusal.details.map((d) => ({ ...d, path: pagePath(d.path, renames) }));
      return { ok: false, refusal: { ...answer.refusal, details } };
    },
    temporalLink: (id) => (ui ? `${ui}/namespaces/${ns}/workflows/${encodeURIComponent(id)}` : undefined),
    temporalQueryLink: (q) => (ui ? `${ui}/namespaces/${ns}/workflows?query=${encodeURIComponent(q)}` : undefined),
  };

  const app = new Hono<ConsoleEnv>();
  const PAGE_POLICY =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  const local = deps.options.localSignIn === true;
  if (local) app.use('*', loopbackHostOnly);
  app.get('/assets/console.js', (c) =>
    c.body(SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );
  app.get('/assets/console.css', (c) =>
    c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  // Pages show what only their reader may see (a report's sealed text): never kept by a browser or a proxy.
  // Nothing runs or loads on them but the console's own files — defence in depth, as every page escapes
  // the text it shows (found from outside, info: no Cache-Control and no CSP). Set before any refusal.
  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', PAGE_POLICY);
    await next();
  });
  app.use('*', sameOrigin);
  app.use('*', async (c, next) => {
    // The API's id for this page's request (never the caller's header): its acts carry it on the record.
    c.set('requestId', c.get('requestId') ?? newKey());
    await next();
  });
  // Every page, whatever part of it shows stored text (a hold's reason, a title, the record): its
  // invisible and bidi-override characters named, never acting (found from outside: the holds table
  // and the record's summaries showed them raw). Text stored before an input rule refused them stays.
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    const html = await c.res.clone().text();
    const shown = visibly(html);
    if (shown === html) return;
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    const status = c.res.status;
    // Unset first: Hono copies the old response's headers into a new one, its Content-Length too.
    c.res = undefined;
    c.res = new Response(shown, { status, headers });
  });

  app.get('/signin', (c) => c.html(<SignInPage local={local} />));
  app.post('/signin/token', async (c) => {
    const token = String((await formBody(c)).token ?? '').trim();
    if (!isTokenShaped(token)) return c.html(<SignInPage local={local} error="令牌格式不正确" />, 400);
    // The API decides whether the token is good: any answer but 401 means it was accepted.
    const probe = await apiClient(deps.api, token).get('/v1/cycles?limit=1');
    if (!probe.ok && probe.refusal.status === 401)
      return c.html(<SignInPage local={local} error={`令牌无效：${probe.refusal.message}`} />, 401);
    signIn(c, token, decodeExp(token));
    return c.redirect('/console', 303);
  });
  app.post('/signin/local', async (c) => {
    if (!local) return c.html(<SignInPage local={false} error="本机签发只在本地模式（npm start）下可用" />, 403);
    const f = await formBody(c);
    const role = String(f.role ?? '');
    const scope = String(f.scope ?? '').trim();
    const sub = String(f.sub ?? '').trim() || '本机用户';
    const ttl = 8 * 3600;
    let token: string;
    try {
      token = await signToken(deps.auth, { sub, roles: [role as never], scope }, ttl);
    } catch {
      return c.html(<SignInPage local error="无法签发令牌" />, 400);
    }
    // Through the API like any other token: a wrong role or scope is refused there, not here.
    const probe = await apiClient(deps.api, token).get('/v1/cycles?limit=1');
    if (!probe.ok && probe.refusal.status === 401)
      return c.html(<SignInPage local error={`令牌未被接受：${probe.refusal.message}`} />, 400);
    signIn(c, token, Math.floor(Date.now() / 1000) + ttl);
    return c.redirect(landing(role), 303);
  });
  app.post('/signout', (c) => {
    signOut(c);
    return c.redirect('/console/signin', 303);
  });

  app.use('*', async (c, next) => {
    const user = currentUser(c);
    if (!user) return c.redirect('/console/signin', 303);
    c.set('user', user);
    await next();
  });

  overviewPage(app, kit);
  cyclePages(app, kit);
  inboxPages(app, kit);
  reportPages(app, kit);
  supervisionPages(app, kit);
  ledgerPages(app, kit);

  app.notFound((c) =>
    c.html(
      <Layout title="页面不存在" user={currentUser(c)}>
        <p>
          没有这个页面。<a href="/console">回到总览</a>
        </p>
      </Layout>,
      404,
    ),
  );
  return app;
}

/** Where each role starts. */
function landing(role: string): string {
  if (role.startsWith('reviewer:')) return '/console/inbox';
  if (role === 'intake' || role === 'investigator') return '/console/reports';
  return '/console';
}

function decodeExp(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : Math.floor(Date.now() / 1000) + 3600;
  } catch {
    return Math.floor(Date.now() / 1000) + 3600;
  }
}
