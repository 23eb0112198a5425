/**
 * Huanjie's credentials at the Temporal frontend. In a cluster the frontend authorizes every call by a
 * JWT (default ClaimMapper + Authorizer, RS256/ES256 only, keys fetched as a JWKS over HTTP); Huanjie
 * signs those tokens with its own key, so no identity provider is needed to run. The API and the
 * workers present a "<namespace>:writer" token, minted here and renewed well before it expires.
 * Unset (TEMPORAL_AUTH_KEY empty) nothing is sent: the dev server has no authorization at all.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, importPKCS8, SignJWT, type JWK } from 'jose';
import { z } from 'zod';

type KeyLike = Awaited<ReturnType<typeof importJWK>>;

/** The default ClaimMapper's role words (common/authorization/default_jwt_claim_mapper.go), not "reader"/"writer". */
export type TemporalRole = 'read' | 'write' | 'worker' | 'admin';

export interface TemporalSigningKey {
  alg: 'ES256' | 'RS256';
  kid: string;
  key: KeyLike;
  /** The public half as a JWK, for the JWKS the server reads. */
  publicJwk: JWK;
}

/** A new ES256 key as a private JWK (JSON), the format TEMPORAL_AUTH_KEY takes. */
export async function generateTemporalAuthKey(kid = `huanjie-${Date.now().toString(36)}`): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' });
}

/** TEMPORAL_AUTH_KEY: a private JWK (JSON, ES256 or RS256, with kid) or a PKCS#8 PEM (ES256; kid from TEMPORAL_AUTH_KID). */
export async function parseTemporalAuthKey(spec: string, pemKid = 'huanjie'): Promise<TemporalSigningKey> {
  const text = spec.trim();
  if (text.startsWith('{')) {
    let jwk: JWK;
    try {
      jwk = JSON.parse(text) as JWK;
    } catch {
      throw new Error('is not valid JSON (a private JWK) nor a PEM key');
    }
    const named = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'RSA' ? 'RS256' : undefined);
    const alg = named === 'ES256' || named === 'RS256' ? (named as 'ES256' | 'RS256') : undefined;
    if (!alg) throw new Error('must be an ES256 or RS256 key (the server accepts no other)');
    if (!jwk.d) throw new Error('must be a private key (the JWK has no "d")');
    const key: KeyLike = await importJWK({ ...jwk, alg }, alg, { extractable: true });
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
    return { alg, kid: jwk.kid ?? pemKid, key, publicJwk: { ...pub, alg, use: 'sig', kid: jwk.kid ?? pemKid } };
  }
  if (text.includes('BEGIN PRIVATE KEY')) {
    const key: KeyLike = await importPKCS8(text, 'ES256', { extractable: true });
    const { d: _d, ...pub } = await exportJWK(key);
    return { alg: 'ES256', kid: pemKid, key, publicJwk: { ...pub, alg: 'ES256', use: 'sig', kid: pemKid } };
  }
  throw new Error('must be a private JWK (JSON) or a PKCS#8 PEM key');
}

export function jwks(keys: TemporalSigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

export async function mintTemporalToken(
  key: TemporalSigningKey,
  claims: { subject: string; permissions: string[]; ttlSeconds: number },
): Promise<string> {
  return new SignJWT({ permissions: claims.permissions })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer('huanjie')
    .setAudience('temporal')
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds}s`)
    .sign(key.key);
}

/**
 * Holds a current token and renews it at half its life, so a long-running process never presents an
 * expired one. `current()` is synchronous because the SDK asks for the key on every call.
 */
export class TemporalTokenSource {
  private token = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((token: string) => void | Promise<void>)[] = [];

  private constructor(
    private readonly key: TemporalSigningKey,
    private readonly claims: { subject: string; permissions: string[]; ttlSeconds: number },
  ) {}

  static async start(
    key: TemporalSigningKey,
    claims: { subject: string; permissions: string[]; ttlSeconds: number },
  ): Promise<TemporalTokenSource> {
    const source = new TemporalTokenSource(key, claims);
    source.token = await mintTemporalToken(key, claims);
    source.timer = setInterval(() => void source.renew(), (claims.ttlSeconds * 1000) / 2);
    source.timer.unref();
    return source;
  }

  current(): string {
    return this.token;
  }

  onRenew(listener: (token: string) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  private async renew(): Promise<void> {
    try {
      this.token = await mintTemporalToken(this.key, this.claims);
      for (const l of this.listeners) await l(this.token);
    } catch (e) {
      // The old token stays valid for the other half of its life; the next tick tries again.
      console.error(`temporal auth: could not renew the token: ${(e as Error).message}`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** The environment the API and the worker read (backendSettings): all optional, off for the dev server. */
export const temporalAuthSettings = {
  TEMPORAL_AUTH_KEY: z.string().optional(),
  TEMPORAL_AUTH_KID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be 1–64 letters, digits, . _ -')
    .default('huanjie'),
  TEMPORAL_AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
};

/** A token source for this process's own calls, or undefined when no key is configured. */
export async function temporalTokenSource(
  config: {
    TEMPORAL_AUTH_KEY?: string | undefined;
    TEMPORAL_AUTH_KID: string;
    TEMPORAL_AUTH_TOKEN_TTL_SECONDS: number;
    TEMPORAL_NAMESPACE: string;
  },
  subject: string,
): Promise<TemporalTokenSource | undefined> {
  if (!config.TEMPORAL_AUTH_KEY) return undefined;
  let key: TemporalSigningKey;
  try {
    key = await parseTemporalAuthKey(config.TEMPORAL_AUTH_KEY, config.TEMPORAL_AUTH_KID);
  } catch (e) {
    throw new Error(`configuration: TEMPORAL_AUTH_KEY ${(e as Error).message}`);
  }
  return TemporalTokenSource.start(key, {
    subject,
    // "worker" ranks below "read" in the default Authorizer; polling and updates need "write".
    permissions: [`${config.TEMPORAL_NAMESPACE}:${'write' satisfies TemporalRole}`],
    ttlSeconds: config.TEMPORAL_AUTH_TOKEN_TTL_SECONDS,
  });
}

/** Serves the public keys at /.well-known/jwks.json for the Temporal frontend (and nothing else). */
export function serveJwks(keys: TemporalSigningKey[], port: number, host = '127.0.0.1'): Promise<Server> {
  const body = JSON.stringify(jwks(keys));
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
