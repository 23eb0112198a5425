/**
 * The console's browser tests drive Debian's chromium (its own browser downloads are blocked on these
 * machines). Like the Temporal CLI, the test command installs it once when it is missing, so `npm test`
 * works on a fresh machine: with root, from Debian's packages; without root it says how.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium(log: (line: string) => void): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const root = process.getuid?.() === 0;
  if (process.env.CHROMIUM_PATH || !root || !existsSync('/usr/bin/apt-get')) {
    log(`${CHROMIUM_PATH} is missing; the console tests will fail: apt-get update && apt-get install -y chromium`);
    return;
  }
  log('Installing Debian chromium for the console tests (once per machine, about a minute)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      log(`apt-get ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return;
    }
  }
}
