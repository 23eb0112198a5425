/**
 * Serves the public half of Huanjie's Temporal signing key (TEMPORAL_AUTH_KEY) as a JWKS at
 * /.well-known/jwks.json, for the Temporal frontend's `keySourceURIs`. `npm run cluster` serves it
 * in-process; docker-compose.yml runs this alone (JWKS_HOST / JWKS_PORT, default 0.0.0.0:7420).
 * Only public keys leave the process; during a key rotation list both keys (TEMPORAL_AUTH_KEY_PREVIOUS).
 */
import { parseTemporalAuthKey, serveJwks } from '../temporal/auth.js';

const spec = process.env.TEMPORAL_AUTH_KEY;
if (!spec) {
  console.error('configuration: TEMPORAL_AUTH_KEY is required (a private JWK or PKCS#8 PEM)');
  process.exit(78);
}
const keys = [await parseTemporalAuthKey(spec, process.env.TEMPORAL_AUTH_KID ?? 'huanjie')];
if (process.env.TEMPORAL_AUTH_KEY_PREVIOUS)
  keys.push(await parseTemporalAuthKey(process.env.TEMPORAL_AUTH_KEY_PREVIOUS));
const port = Number(process.env.JWKS_PORT ?? 7420);
const host = process.env.JWKS_HOST ?? '0.0.0.0';
const server = await serveJwks(keys, port, host);
console.log(`jwks: serving ${keys.map((k) => k.kid).join(', ')} on http://${host}:${port}/.well-known/jwks.json`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
