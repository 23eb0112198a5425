/**
 * The console's browser tests drive Debian's chromium (its own browser downloads are blocked on these
 * machines). Like the Temporal CLI, the test command installs it once when it is missing, so `npm test`
 * works on a fresh machine: with root, from Debian's packages; without root it says how. The
 * screenshots need a CJK font as well (without one every Chinese character is a box); only
 * `npm run screenshots` installs it, the tests read the page's text, not its pixels.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** What Debian's fonts-wqy-zenhei installs. */
export const CJK_FONT_PATH = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

export function ensureChromium(log: (line: string) => void): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.env.CHROMIUM_PATH) {
    log(`${CHROMIUM_PATH} (CHROMIUM_PATH) is missing; the console tests will fail`);
    return;
  }
  ensureDebianPackage('chromium', 'the console tests', log);
}

/** A CJK font for Chromium's screenshots of the Chinese pages. */
export function ensureCjkFont(log: (line: string) => void): void {
  if (existsSync(CJK_FONT_PATH)) return;
  ensureDebianPackage('fonts-wqy-zenhei', 'the screenshots (Chinese shows as boxes without it)', log);
}

/** Installs one Debian package with apt-get when run as root; otherwise says how. True when installed. */
function ensureDebianPackage(pkg: string, forWhat: string, log: (line: string) => void): boolean {
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    log(`${pkg} is missing for ${forWhat}: apt-get update && apt-get install -y ${pkg}`);
    return false;
  }
  log(`Installing Debian's ${pkg} for ${forWhat} (once per machine)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', pkg]]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      log(`apt-get ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return false;
    }
  }
  return true;
}
