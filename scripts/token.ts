/**
 * Prints a bearer token for local use:
 *   npm run token -- --role organizer --scope 440300 [--role reviewer:audit] [--sub 张三] [--ttl 8h] [--root]
 * --root grants the right to create the root that is the token's scope (PUT /v1/jurisdictions).
 */
import { parseArgs } from 'node:util';
import { claimsSchema, signToken } from '../api/auth.js';
import { authConfig } from './local-secrets.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true },
    scope: { type: 'string' },
    sub: { type: 'string', default: 'local-user' },
    ttl: { type: 'string', default: '8h' },
    root: { type: 'boolean', default: false },
  },
});
const ttl = /^(\d+)([smhd])$/.exec(values.ttl ?? '');
const claims = claimsSchema.omit({ exp: true }).safeParse({
  sub: values.sub,
  roles: values.role ?? [],
  scope: values.scope,
  ...(values.root ? { rootAuthority: true } : {}),
});
if (!claims.success || !ttl) {
  const issues = claims.success
    ? []
    : claims.error.issues.map((i) => `--${i.path[0] === 'roles' ? 'role' : String(i.path[0])}: ${i.message}`);
  console.error(
    [
      'usage: npm run token -- --role organizer --scope 440300 [--role reviewer:audit] [--sub name] [--ttl 8h]',
      ...issues,
      ...(ttl ? [] : ['--ttl: like 30m, 8h or 7d']),
    ].join('\n'),
  );
  process.exit(64);
}
const seconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[ttl[2] as 's' | 'm' | 'h' | 'd'];
console.log(await signToken(authConfig(), claims.data, seconds));
