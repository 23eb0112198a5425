/**
 * What the candidate routes answer: the candidate's state as recorded in Postgres, for the caller's
 * roles. Also used by the joint-review route, whose verdict is an input to the same candidate.
 */
import type { Context } from 'hono';
import * as W from '../../../workflows/contracts/candidate.js';
import { allows } from '../../authz.js';
import type { Env, Services } from '../../context.js';
import { ApiError, ErrorCode, OUTAGE_RETRY_AFTER_SECONDS } from '../../errors.js';

/** What a candidate declared and what verification found are for the organization department only. */
function redactFor<S extends W.CandidateState>(roles: readonly string[], state: S): S {
  if (allows(roles, 'personalMatters.read') || !state.dossier?.personalMatters) return state;
  const { discrepancies: _hidden, ...outcome } = state.dossier.personalMatters;
  // Marked sealed, so that an empty list is never read as "no discrepancy" beside a concealment.
  return { ...state, dossier: { ...state.dossier, personalMatters: { ...outcome, discrepancies: [], sealed: true } } };
}

/** The state as the API answers it: redacted for the caller, without the record's version counter. */
export function answerOf<S extends W.CandidateState>(roles: readonly string[], state: S): Omit<S, 'version'> {
  const { version: _version, ...shown } = redactFor(roles, state);
  if (shown.status === 'inspecting') return shown;
  // An ended inspection waits for nothing: its last wait and what its dossier lacked then read as work still
  // due (found from outside: a candidate stopped by an abort listed 22 missing items).
  const { missing: _missing, ...ended } = shown;
  const waitingFor = shown.status === 'passed' ? '考察结束：合格' : '考察结束：已终止';
  return { ...ended, waitingFor } as Omit<S, 'version'>;
}

/**
 * Puts an accepted input on the record when the candidate left that to its sender (an act that did
 * not end the inspection: contracts/candidate.ts ActForRecord), before anyone is answered; the state
 * it left is what the API answers from. If the database is away this fails (503), and the caller's
 * retry with the same idempotency key gets the same answer from Temporal and writes it then.
 */
export function recordSent(s: Services, answer: W.CandidateAnswer): Promise<W.CandidateState> {
  return s.reviews.recordCandidateAnswer(answer);
}

/**
 * The answer to an accepted input: the recorded state once it shows the input (the version the
 * workflow answered with), so a GET right after never reads an older one. The act is on the record
 * before this (recorded by the workflow, or by recordSent), so this is one read; if the record cannot
 * be read in time, 503 to retry.
 */
export async function recordedAnswer(c: Context<Env>, answered: W.CandidateState) {
  const s = c.var.services;
  const recorded = await s.read.candidates.atLeast(answered.cycleId, answered.personId, answered.version);
  if (!recorded) {
    const e = new ApiError(
      503,
      ErrorCode.ServiceUnavailable,
      `candidate ${answered.personId}'s record does not yet show the accepted input; retry the request (its idempotency key makes it one input)`,
      [{ path: 'database', rule: 'record behind the workflow' }],
    );
    e.retryAfterSeconds = OUTAGE_RETRY_AFTER_SECONDS;
    throw e;
  }
  return answerOf(c.get('principal').roles, recorded);
}
