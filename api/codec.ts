/**
 * The codec endpoint the Temporal UI and operators call to see payloads decrypted (`POST /codec/decode`,
 * `/codec/encode`, body `{ payloads: [...] }` with base64 bytes).
 *
 * Who: a bearer token with the `operator` role — no other role, whatever it may read through the
 * API, because a decrypted history holds more than its routes show. Which: a decode names the
 * workflow the payloads come from (`X-Huanjie-Workflow-Id` header or `?workflowId=`, optionally a run
 * id); the workflow's jurisdiction must lie in the operator's scope (else 404, like every object
 * outside a scope), and every payload must be one of that run's own (its history or its
 * description), so a payload from elsewhere cannot ride on a workflow in scope. Each call is on the
 * audit chain: who, which workflow, how many payloads — never their content.
 *
 * The local dev UI cannot send tokens (it passes them only over HTTPS), so `npm start` lets requests
 * without a token through when they come from a configured UI origin AND from a loopback address;
 * such calls are audited as the local UI, with the namespace it names. The server refuses trusted
 * origins unless it listens on loopback (api/server.ts).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { getConnInfo } from '@hono/node-server/conninfo';
import { WorkflowNotFoundError, type Payload } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { SA } from '../temporal/search-attributes.js';
import type { Actor } from '../domain/schemas.js';
import { bodyShapeProblem } from '../domain/text.js';
import type { AesGcmCodec } from '../temporal/codec.js';
import { authenticate, type AuthConfig } from './auth.js';
import { allows } from './authz.js';
import type { Env, Services } from './context.js';
import type { Env as RequestEnv } from './env.js';
import { ApiError, ErrorCode, notFound } from './errors.js';
import { localUiActorId } from './principal.js';

const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');
const PayloadProto = temporal.api.common.v1.Payload;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => PayloadProto.fromObject(p);
const toJson = (p: Payload): JsonPayload => PayloadProto.toObject(PayloadProto.create(p), { bytes: String });
/**
 * A payload whole: its bytes and every mark (encoding, key id, compression). A payload of the run with a
 * mark changed is not the run's own: compared by its bytes alone it passed, and failed in decryption (500).
 */
const digest = (p: { data?: Uint8Array | number[] | null; metadata?: Record<string, Uint8Array> | null }) => {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(p.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    h.update(`${k.length}:${k}:${v.length}:`).update(bytes(v));
  return h.update('data:').update(bytes(p.data)).digest('hex');
};
// protobufjs leaves an empty base64 string as a plain array, which a hash does not take.
const bytes = (b: Uint8Array | number[] | null | undefined) => (b instanceof Uint8Array ? b : Uint8Array.from(b ?? []));

/** Where a request's payload is not proto-JSON text (metadata values and data are base64 strings), if anywhere. */
function payloadShapeProblem(payloads: unknown[]): { path: string; rule: string } | undefined {
  for (const [i, p] of payloads.entries()) {
    if (p === null || typeof p !== 'object' || Array.isArray(p))
      return { path: `payloads.${i}`, rule: 'a payload: { metadata: { key: base64 }, data: base64 }' };
    const { metadata, data } = p as { metadata?: unknown; data?: unknown };
    if (metadata !== undefined && metadata !== null) {
      if (typeof metadata !== 'object' || Array.isArray(metadata))
        return { path: `payloads.${i}.metadata`, rule: 'an object of base64 strings' };
      const bad = Object.entries(metadata).find(([, v]) => !isBase64(v));
      if (bad) return { path: `payloads.${i}.metadata.${bad[0].slice(0, 100)}`, rule: 'base64 text' };
    }
    if (data !== undefined && data !== null && !isBase64(data))
      return { path: `payloads.${i}.data`, rule: 'base64 text' };
  }
  return undefined;
}

/** Proto-JSON bytes: base64, standard or URL-safe, padded or not (protobufjs reads all four). */
const isBase64 = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v);

const AS_STORED = 'an encrypted payload as stored: its marks and bytes unaltered, under a key this API holds';

const WORKFLOW_ID = /^[\w:.@-]{1,200}$/;
const RUN_ID = /^[0-9a-f-]{36}$/;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^127\./.test(address) || /^::ffff:127\./.test(address);
}

/** Who is calling: an operator with a token, or (local dev only) the trusted UI without one. */
type Caller = { kind: 'operator'; actor: Actor; scope: string } | { kind: 'localUi'; actor: Actor };
type CodecEnv = { Variables: Env['Variables'] & { caller: Caller } };

export function codecRoutes(o: {
  codec: AesGcmCodec;
  auth: AuthConfig;
  trustedOrigins: string[];
  /** Origins whose browsers may call with a token (the UI passes the signed-in user's); no token-less access. */
  corsOrigins?: string[];
  s: Services;
}) {
  const { s } = o;
  const app = new Hono<CodecEnv>();
  const allowed = [...o.trustedOrigins, ...(o.corsOrigins ?? [])];
  app.use(
    '*',
    cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowHeaders: ['content-type', 'authorization', 'x-namespace', 'x-huanjie-workflow-id', 'x-huanjie-run-id'],
      allowMethods: ['POST', 'OPTIONS'],
      credentials: true,
    }),
  );
  const verify = authenticate(o.auth);
  app.use('*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const origin = c.req.header('origin');
    if (!c.req.header('authorization') && origin && o.trustedOrigins.includes(origin) && isLoopback(peer(c))) {
      c.set('caller', {
        kind: 'localUi',
        actor: { id: localUiActorId(origin), role: 'trusted-origin', requestId: c.get('requestId') },
      });
      return next();
    }
    return verify(c as unknown as Context<RequestEnv>, async () => {
      const p = c.get('principal');
      if (!allows(p.roles, 'codec.use'))
        throw new ApiError(
          403,
          ErrorCode.Forbidden,
          `role ${p.roles.join(', ')} may not read payloads; operators only`,
          [{ path: 'roles', rule: 'codec.use needs the operator role' }],
        ).asDenial();
      c.set('caller', {
        kind: 'operator',
        actor: { id: p.sub, role: p.roles.join(','), requestId: c.get('requestId') },
        scope: p.scope,
      });
      await next();
    });
  });

  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, async (c) => {
      const body = await c.req.json<{ payloads?: JsonPayload[] }>().catch(() => undefined);
      const shape = body === undefined ? undefined : bodyShapeProblem(body);
      if (shape)
        throw new ApiError(400, ErrorCode.Validation, `invalid input: (body): ${shape}`, [
          { path: '(body)', rule: shape },
        ]);
      // Proto-JSON leaves out an empty list: `{}` is a request with no payloads.
      if (
        !body ||
        typeof body !== 'object' ||
        Array.isArray(body) ||
        (body.payloads !== undefined && !Array.isArray(body.payloads))
      ) {
        throw new ApiError(400, ErrorCode.Validation, 'body must be { payloads: [...] }', [
          { path: 'payloads', rule: 'an array of payloads' },
        ]);
      }
      const problem = payloadShapeProblem(body.payloads ?? []);
      if (problem) throw new ApiError(400, ErrorCode.Validation, `invalid input: ${problem.path}`, [problem]);
      let payloads: Payload[];
      try {
        payloads = (body.payloads ?? []).map(fromJson);
      } catch {
        throw new ApiError(400, ErrorCode.Validation, 'each payload is { metadata: { key: base64 }, data: base64 }', [
          { path: 'payloads', rule: 'proto-JSON payloads' },
        ]);
      }
      const caller = c.get('caller');
      const namespace = s.temporal.options.namespace;
      let subject: { workflowId: string; runId?: string; jurisdictionId: string | null; cycleId: string | null };
      if (caller.kind === 'operator') {
        // Decoding reads a workflow's payloads; encoding makes payloads that a workflow would accept as
        // its own. Either way the operator names the workflow, and it must lie in the operator's scope.
        subject = await checkWorkflow(c, caller.scope, op === 'decode' ? payloads : []);
      } else {
        // The local UI names no workflow (it cannot).
        subject = { workflowId: '', jurisdictionId: null, cycleId: null };
      }
      const out = op === 'encode' ? await o.codec.encode(payloads) : await decodeEach(payloads);
      // On the record before the answer leaves: no audit row, no plaintext.
      await s.record.recordEvent({
        key: `codec:${c.get('requestId')}`,
        at: Date.now(),
        actor: caller.actor,
        subjectType: subject.workflowId ? 'workflow' : 'codec',
        subjectId: subject.workflowId || `namespace ${c.req.header('x-namespace') ?? namespace}`,
        cycleId: subject.cycleId,
        jurisdictionId: subject.jurisdictionId,
        action: `codec.${op}d`,
        detail: {
          payloads: payloads.length,
          namespace,
          ...(subject.runId ? { runId: subject.runId } : {}),
          ...(caller.kind === 'localUi' ? { via: 'trusted local UI origin, no token' } : {}),
        },
      });
      return c.json({ payloads: out.map(toJson) });
    });
  }
  return app;

  /** Decoded one by one, so a payload the codec cannot open (altered, or under a key not held) is named: 400. */
  async function decodeEach(payloads: Payload[]): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const [i, p] of payloads.entries()) {
      try {
        out.push(...(await o.codec.decode([p])));
      } catch {
        // The cause is the cipher's or zlib's, about bytes the caller sent: named by rule, never echoed.
        throw new ApiError(400, ErrorCode.Validation, `payload ${i} cannot be decoded`, [
          { path: `payloads.${i}`, rule: AS_STORED },
        ]);
      }
    }
    return out;
  }

  /**
   * The named workflow must be in the operator's scope, and every payload one of its own. Its
   * jurisdiction comes from its search attribute (set by Huanjie at start), else from its id.
   */
  async function checkWorkflow(c: Context<CodecEnv>, scope: string, payloads: Payload[]) {
    const workflowId = c.req.header('x-huanjie-workflow-id') ?? c.req.query('workflowId');
    const runId = c.req.header('x-huanjie-run-id') ?? c.req.query('runId');
    if (!workflowId || !WORKFLOW_ID.test(workflowId))
      throw new ApiError(400, ErrorCode.Validation, 'name the workflow the payloads come from', [
        {
          path: 'header.X-Huanjie-Workflow-Id',
          rule: 'a workflow id (or ?workflowId=), e.g. candidate:440306:2026:p001',
        },
      ]);
    if (runId !== undefined && !RUN_ID.test(runId))
      throw new ApiError(400, ErrorCode.Validation, 'a run id is a UUID', [
        { path: 'header.X-Huanjie-Run-Id', rule: 'a UUID' },
      ]);
    const handle = s.temporal.workflow.getHandle(workflowId, runId);
    const what = `workflow ${workflowId}`;
    const description = await handle.describe().catch((e: unknown) => {
      throw e instanceof WorkflowNotFoundError ? notFound(what).asDenial() : e;
    });
    const fromId = /^(?:cycle|candidate|supervision):([^:]+):/.exec(workflowId)?.[1];
    const jurisdictionId = description.typedSearchAttributes.get(SA.jurisdiction) ?? fromId;
    if (!jurisdictionId || !(await s.read.within(scope, jurisdictionId))) throw notFound(what).asDenial();
    const cycleId =
      description.typedSearchAttributes.get(SA.cycle) ??
      /^(?:cycle|candidate|supervision):([^:]+:[^:]+)/.exec(workflowId)?.[1] ??
      null;

    if (payloads.length === 0) return { workflowId, runId: runId ?? description.runId, jurisdictionId, cycleId };
    const own = new Set<string>();
    collectPayloads(description.raw, own);
    collectPayloads(await handle.fetchHistory(), own);
    const foreign = payloads.findIndex((p) => !own.has(digest(p)));
    if (foreign >= 0)
      throw new ApiError(403, ErrorCode.Forbidden, `payload ${foreign} is not one of ${what}'s own payloads`, [
        { path: `payloads.${foreign}`, rule: `a payload from the history of ${what}${runId ? ` run ${runId}` : ''}` },
      ]).asDenial();
    return { workflowId, runId: runId ?? description.runId, jurisdictionId, cycleId };
  }
}

/**
 * Every payload (a `metadata` map of bytes, and bytes `data` or none) anywhere in a proto message. An
 * empty payload (an activity's null input, a void result) has no data at all: left out, the UI's batch
 * of a whole history was refused 403 (found from outside).
 */
function collectPayloads(node: unknown, into: Set<string>, depth = 0): void {
  if (!node || typeof node !== 'object' || depth > 64 || node instanceof Uint8Array) return;
  const o = node as Record<string, unknown>;
  const { metadata, data } = o;
  if (
    metadata &&
    typeof metadata === 'object' &&
    !Array.isArray(metadata) &&
    Object.values(metadata).every((v) => v instanceof Uint8Array) &&
    (data === undefined || data === null || data instanceof Uint8Array || Array.isArray(data))
  )
    into.add(digest(o));
  for (const v of Array.isArray(node) ? node : Object.values(o)) collectPayloads(v, into, depth + 1);
}

function peer(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
