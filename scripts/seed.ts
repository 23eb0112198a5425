/** Loads the sample tree (广东省 → 深圳市 → its districts → a few 街道) through the running API. */
import { readFileSync } from 'node:fs';
import { signToken } from '../api/auth.js';
import { authConfig } from './local-secrets.js';

const api = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
const body = readFileSync(new URL('../db/seeds/shenzhen.json', import.meta.url), 'utf8');
const token = await signToken(
  authConfig(),
  { sub: 'seed', roles: ['organizer'], scope: '440000', rootAuthority: true },
  300,
);
const res = await fetch(`${api}/v1/jurisdictions`, {
  method: 'PUT',
  body,
  headers: {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': 'seed-shenzhen-v1',
  },
}).catch((e: Error) => {
  console.error(`seed: cannot reach the API at ${api} (${e.message}); start it with npm start`);
  process.exit(69);
});
console.log(
  res.status === 200 ? `seed: ${JSON.stringify(await res.json())}` : `seed: ${res.status} ${await res.text()}`,
);
process.exit(res.ok ? 0 : 1);
