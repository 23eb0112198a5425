/**
 * A real Chromium for the console tests: Debian's /usr/bin/chromium driven by playwright-core. A
 * machine without it fails the tests with the command that installs it (never skips them).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the console's browser tests need Debian's chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH).',
    );
  // Playwright starts it with an empty profile of its own (a fresh --user-data-dir) and --headless.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One signed-in person's browser: every page error, failed request and error answer is kept. */
export interface Session {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Error answers the test expects (a refusal it provoked), consumed as they are seen. */
  expect(status: number, url: RegExp): void;
  close(): Promise<void>;
}

export async function openSession(
  browser: Browser,
  baseURL: string,
  options: { javaScript?: boolean } = {},
): Promise<Session> {
  const context = await browser.newContext({
    baseURL,
    acceptDownloads: true,
    locale: 'zh-CN',
    javaScriptEnabled: options.javaScript ?? true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const expected: { status: number; url: RegExp }[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every error answer; those are judged by the 'response' listener below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status'))
      problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // A download ends its navigation as "aborted" in Chromium: that is the file arriving, not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && /\.(xlsx|csv)(\?|$)/.test(r.url())) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const i = expected.findIndex((e) => e.status === r.status() && e.url.test(r.url()));
    if (i >= 0) expected.splice(i, 1);
    else problems.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    context,
    page,
    problems,
    expect: (status, url) => expected.push({ status, url }),
    close: () => context.close(),
  };
}

/** Submits a form the way a person does and waits for the page that answers. */
export async function submit(page: Page, formSelector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.locator(`${formSelector} button[type=submit]`).click()]);
}

const idPart = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '-');
/** The id the console gives a form's field (`#stage-input-tallies-0-persons-2-votes`). */
export const fieldSel = (form: string, name: string) => `#${form}-${idPart(name)}`;

/**
 * Fills a list field's rows the way a person does: a row the page does not show yet is added with
 * the list's 添加一行 button first. A cell named '' is the row's own value (a list of plain values).
 */
export async function fillRows(
  page: Page,
  form: string,
  list: string,
  rows: Record<string, string | number | boolean>[],
): Promise<void> {
  for (const [i, row] of rows.entries()) {
    for (const [cell, value] of Object.entries(row)) {
      const control = page.locator(fieldSel(form, cell ? `${list}.${i}.${cell}` : `${list}.${i}`));
      if ((await control.count()) === 0) await page.locator(`${fieldSel(form, list)} [data-add-row]`).click();
      // Runs in the page (the tests' tsconfig has no DOM types): an input's type, else its tag.
      const kind = await control.evaluate((e: any) => (e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()));
      if (kind === 'select') await control.selectOption(String(value));
      else if (kind === 'checkbox') await control.setChecked(Boolean(value));
      else await control.fill(String(value));
    }
  }
}

/**
 * Waiting assertions on what the page shows (playwright-core has no `expect`): each polls until it
 * holds or fails after `ms`, saying what the page showed instead.
 */
async function until(what: string, check: () => Promise<{ ok: boolean; saw: string }>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let saw = '';
  for (;;) {
    const r = await check().catch((e: Error) => ({ ok: false, saw: e.message }));
    if (r.ok) return;
    saw = r.saw;
    if (Date.now() > deadline) throw new Error(`${what} — the page shows: ${saw.slice(0, 500)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
const textOf = async (l: Locator) => ((await l.count()) ? await l.first().innerText({ timeout: 1000 }) : '(nothing)');

export const containsText = (l: Locator, text: string) =>
  until(`${l} should contain "${text}"`, async () => {
    const t = await textOf(l);
    return { ok: t.includes(text), saw: t };
  });
export const hasText = (l: Locator, text: string) =>
  until(`${l} should read "${text}"`, async () => {
    const t = (await textOf(l)).trim();
    return { ok: t === text, saw: t };
  });
export const hasCount = (l: Locator, n: number) =>
  until(`${l} should be there ${n} times`, async () => {
    const c = await l.count();
    return { ok: c === n, saw: `${c} times` };
  });
export const isVisible = (l: Locator) =>
  until(`${l} should be visible`, async () => ({ ok: await l.first().isVisible(), saw: 'not visible' }));
export const hasValue = (l: Locator, v: string) =>
  until(`${l} should hold "${v}"`, async () => {
    const got = await l.first().inputValue({ timeout: 1000 });
    return { ok: got === v, saw: got };
  });
export const hasAttribute = (l: Locator, name: string, v: string) =>
  until(`${l} should have ${name}="${v}"`, async () => {
    const got = await l.first().getAttribute(name, { timeout: 1000 });
    return { ok: got === v, saw: String(got) };
  });
