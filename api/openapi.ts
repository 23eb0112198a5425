/** Helpers for the OpenAPI document: request bodies with examples, the error body, Chinese examples. */
import { z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ErrorCode } from './errors.js';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({
        example: 'VALIDATION',
        description: `what went wrong, to branch on: ${Object.values(ErrorCode).join(', ')}`,
      }),
      message: z.string().openapi({ example: 'invalid body: positions.0.seats: Too small: expected number to be >=1' }),
      details: z.array(z.object({ path: z.string(), rule: z.string() })),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');

const ERROR_TEXT: Record<number, string> = {
  400: 'malformed input: details name each field and rule',
  401: 'missing, expired or invalid token',
  403: 'your role may not do this',
  404: 'not found (or outside your scope)',
  409: 'conflicts with the current state (wrong stage, duplicate, suspended, closed)',
  413: 'body too large',
  422: 'well-formed but inconsistent (e.g. more votes than voters, no quorum)',
  429: 'too many requests',
};

/**
 * The answers any /v1 operation may give besides its own, written into the document so a client
 * generated from it knows them (found from outside: none listed them): 429 from the rate limit and
 * 503 from an outage, a busy workflow or the request's deadline, all with Retry-After; 413 for a body
 * over the limit; 504 for a request that changes something (any method but GET) cut off by the deadline
 * or whose workflow did not answer in time.
 */
export function withAnswersEveryRouteMayGive<D extends { paths?: Record<string, unknown> }>(doc: D): D {
  const error = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  const retryAfter = {
    'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
  };
  const common = (method: string, path: string, op: { requestBody?: unknown }): Record<string, unknown> => ({
    ...(op.requestBody ? { 413: { description: ERROR_TEXT[413], content: error } } : {}),
    429: { description: `${ERROR_TEXT[429]} (per caller)`, headers: retryAfter, content: error },
    503: {
      description:
        "a part it needs is unreachable (details name database or temporal, rule unreachable), Temporal is busy with this workflow or every database connection of the API is in use (rule busy), or the workflow's task kept failing (rule 'workflow task failed'): this request applied nothing; retry later (an input with the same Idempotency-Key: one sent earlier with that key may have been applied, and only a 2xx is final for a key: a 4xx applied nothing, and the same key sent again is checked again). A read may also answer NOT_READY naming `record` (being written) or `temporal` (busy), or SERVICE_UNAVAILABLE naming `deadline` (not answered within TEMPORAL_DEADLINE_SECONDS): read again. One exception: details naming `version` — the input was applied but its answer could not be read back in time; read again, or retry with the same Idempotency-Key for the answer",
      headers: retryAfter,
      content: error,
    },
    ...(method !== 'get'
      ? {
          504: {
            description:
              'not answered within the request deadline (TEMPORAL_DEADLINE_SECONDS), or the workflow did not answer in time: the input may still be applied; send it again with the same Idempotency-Key (details name `deadline`)',
            headers: retryAfter,
            content: error,
          },
        }
      : {}),
  });
  // An operation's own description of one of these answers stays, with the Retry-After header added.
  const merged = (added: Record<string, unknown>, own: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...added, ...own };
    for (const [code, answer] of Object.entries(added))
      if (code in own) {
        const mine = own[code] as { headers?: Record<string, unknown> };
        out[code] = { ...mine, headers: { ...(answer as { headers?: object }).headers, ...mine.headers } };
      }
    return out;
  };
  const paths: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/v1/')) {
      paths[path] = item;
      continue;
    }
    paths[path] = Object.fromEntries(
      Object.entries(item as Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>).map(
        ([method, op]) => [method, { ...op, responses: merged(common(method, path, op), op.responses ?? {}) }],
      ),
    );
  }
  return { ...doc, paths };
}

export function errorResponses<S extends number>(...codes: S[]) {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { description: ERROR_TEXT[code] ?? 'error', content: { 'application/json': { schema: errorSchema } } },
    ]),
  ) as Record<S, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }>;
}

export function json<T extends ZodType>(schema: T, example?: unknown) {
  return {
    required: true,
    content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
  };
}

export const examples = {
  start: {
    jurisdictionId: '440306',
    term: '2026',
    positions: [
      { id: 'secretary', title: '区委书记', seats: 1 },
      { id: 'deputy-mayor', title: '副区长', seats: 4 },
    ],
    committees: { standing: 11, full: 31 },
    policy: { competitivePositions: ['deputy-mayor'], publicityWorkingDays: 5 },
  },
  launch: {
    responsibilities: [
      { task: '换届风气监督', measure: '签订承诺书、开展警示教育', deadline: '2026-03-31', owner: '区委组织部' },
    ],
    educationSessions: 12,
    commitmentLetters: 900,
    talks: 120,
  },
  analysis: { vacanciesPublishedOn: '2026-04-01', eligibleChecked: 40 },
  recommendation: {
    round: 'cadreMeeting',
    voters: 200,
    observers: 6,
    tallies: [
      {
        positionId: 'secretary',
        persons: [
          { personId: 'p001', name: '张伟', votes: 150 },
          { personId: 'p002', name: '王芳', votes: 40 },
          { personId: 'p003', name: '李娜', votes: 10 },
        ],
      },
      {
        positionId: 'deputy-mayor',
        persons: [
          { personId: 'p101', name: '刘洋', votes: 120 },
          { personId: 'p102', name: '陈静', votes: 110 },
          { personId: 'p103', name: '杨磊', votes: 90 },
          { personId: 'p104', name: '赵敏', votes: 70 },
          { personId: 'p105', name: '黄勇', votes: 40 },
        ],
        belowRatioReason: '符合任职资格条件的人选仅 5 名，不足 1:3，经研究按现有人选推荐',
      },
    ],
  },
  standing: {
    present: 10,
    shortlist: [
      { positionId: 'secretary', personIds: ['p001', 'p002'] },
      {
        positionId: 'deputy-mayor',
        personIds: ['p101', 'p102', 'p103', 'p104', 'p105'],
        belowRatioReason: '考察合格人选 5 名，不足 1:2，仍差额提名（不少于职数加一）',
      },
    ],
  },
  vote: {
    present: 29,
    votes: [
      { positionId: 'secretary', personId: 'p001', inFavor: 25 },
      { positionId: 'secretary', personId: 'p002', inFavor: 12 },
    ],
  },
  drop: { personId: 'p001', reason: '公示期间收到举报，经核查部分属实', cause: 'report' },
  approval: { decision: 'approved', authority: '深圳市委组织部', rejections: [] },
  election: {
    votersPresent: 300,
    validBallots: 296,
    results: [{ positionId: 'secretary', persons: [{ personId: 'p001', votes: 280 }] }],
    massPetitions: 0,
  },
  hold: { name: 'petition-2026-07', reason: '收到群众来信反映，待组织核实', personId: 'p001' },
};

/**
 * The Idempotency-Key header: its format, and no fixed example (Swagger UI would pre-fill it on every
 * try-out, so two different bodies would share one key and the second be refused).
 */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{8,128}$/)
    .optional()
    .openapi({
      description:
        'Optional; 8–128 of [A-Za-z0-9_.:-], new for each request (e.g. a UUID you generate). The same key and the same body are applied at most once; once taken, a retry answers with the same status (a stage input: the cycle as it now stands, at least at the version the input produced; a registration: the same id). A refusal (4xx) applies nothing and is not kept: the same key and body sent again are checked again against the state as it then is, and taken if it now allows them; copies of one key in flight at once are each checked, so one may be refused while another is taken — the 2xx is the answer that stands. The same key with another body answers 422 IDEMPOTENCY_KEY_REUSED. Keys are yours alone (per caller, method and path).',
    }),
});
