/**
 * `npm run screenshots` (with `npm start` and `npm run demo` running): the README's pictures of the
 * console — the overview and a department's inbox — taken with Debian's chromium as small PNGs in
 * docs/. Signs in by pasting tokens made with the local secret, as a user would. Installs chromium
 * and a CJK font (fonts-wqy-zenhei) from Debian's packages when missing and run as root.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { signToken, type Principal } from '../api/auth.js';
import { CJK_FONT_PATH, CHROMIUM_PATH, ensureChromium, ensureCjkFont } from './chromium.js';
import { authConfig } from './local-secrets.js';

const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
const executablePath = CHROMIUM_PATH;
const shots: { file: string; role: Principal['roles'][number]; scope: string; path: string; wait?: string }[] = [
  { file: 'docs/console-overview.png', role: 'organizer', scope: '440300', path: '/console' },
  {
    file: 'docs/console-inbox.png',
    role: 'reviewer:discipline',
    scope: '440300',
    path: '/console/inbox',
    wait: '#tasks tbody tr',
  },
];

async function main() {
  const log = (line: string) => console.log(`[screenshots] ${line}`);
  ensureChromium(log);
  ensureCjkFont(log);
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  // Pictures of boxes are worse than none: without the font, stop rather than commit them.
  if (!existsSync(CJK_FONT_PATH)) throw new Error(`${CJK_FONT_PATH} is missing: apt-get install -y fonts-wqy-zenhei`);
  const auth = authConfig();
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    for (const shot of shots) {
      const context = await browser.newContext({
        baseURL: api,
        viewport: { width: 900, height: 640 },
        locale: 'zh-CN',
      });
      const page = await context.newPage();
      await page.goto('/console/signin');
      await page.fill(
        '#signin-token',
        await signToken(auth, { sub: '演示用户', roles: [shot.role], scope: shot.scope }),
      );
      await Promise.all([page.waitForEvent('load'), page.click('#token-signin button[type=submit]')]);
      await page.goto(shot.path);
      // The inbox is worth a picture with tasks in it: wait for the demo to open some.
      for (let i = 0; shot.wait && i < 600 && (await page.locator(shot.wait).count()) === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await page.reload();
      }
      await page.screenshot({ path: shot.file });
      console.log(`[screenshots] ${shot.file}`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`screenshots: ${e.message}`);
    process.exit(1);
  },
);
