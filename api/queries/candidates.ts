/**
 * A candidate's inspection as the API reads it: the state its workflow recorded with its last act
 * (candidate_states, written by activities/reviews.ts in the act's transaction). No workflow query,
 * so a GET never waits on a replay, running or closed.
 */
import { prepared, type Pool } from '../../activities/db.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import type { PersonalMattersRules } from '../../domain/inspection.js';
import type { CandidateState } from '../../workflows/contracts/candidate.js';
import { candidacyOf, type Candidacy, type PersonRow } from '../../domain/cycle/rows.js';

/** A candidate's recorded state, with where the cycle has them (absent until the cycle has recorded them). */
export type RecordedCandidate = CandidateState & { candidacy?: Candidacy };

/** How long an answer may wait for the record of an input the workflow has accepted. */
const VERSION_WAIT_MS = 5_000;

// A candidate's GET, and every wait of an input on its record: prepared (activities/db.ts).
const CANDIDATE = prepared(
  'candidate',
  `SELECT c.state, p.candidate_status AS "candidateStatus", p.nominee_status AS "nomineeStatus", p.detail
     FROM candidate_states c LEFT JOIN cycle_people p ON p.cycle_id = c.cycle_id AND p.person_id = c.person_id
    WHERE c.cycle_id = $1 AND c.person_id = $2`,
);

export function createCandidateQueries(pool: Pool) {
  // With the cycle's row of the person beside it, in the same round trip: the candidacy.
  const read = async (cycleId: string, personId: string): Promise<RecordedCandidate | undefined> => {
    const { rows } = await pool.query<{ state: CandidateState } & Partial<PersonRow>>(CANDIDATE([cycleId, personId]));
    const row = rows[0];
    if (!row) return undefined;
    const { state, candidateStatus, nomineeStatus, detail } = row;
    if (candidateStatus === undefined || candidateStatus === null) return state;
    const candidacy = candidacyOf(
      { candidateStatus, nomineeStatus: nomineeStatus ?? null, detail: detail ?? {} },
      state.status === 'passed',
    );
    return { ...state, candidacy };
  };

  return {
    state: read,

    /**
     * The recorded state once it has reached `version` (an input's answer), or undefined if it does
     * not within the bounded wait. The act is recorded before the workflow answers the input, so this
     * normally finds it at the first read; waiting covers a record still being retried.
     */
    async atLeast(cycleId: string, personId: string, version: number): Promise<RecordedCandidate | undefined> {
      const deadline = Date.now() + VERSION_WAIT_MS;
      for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
        const state = await read(cycleId, personId);
        if (state && state.version >= version) return state;
        if (Date.now() + wait > deadline) return undefined;
        await new Promise((r) => setTimeout(r, wait));
      }
    },

    /** The rules the candidate's personal matters are classified by, once its start is recorded. */
    async personalMattersRules(cycleId: string, personId: string): Promise<PersonalMattersRules | undefined> {
      const { rows } = await pool.query<{ rules: PersonalMattersRules | null }>(
        `SELECT personal_matters_rules AS rules FROM candidate_states WHERE cycle_id = $1 AND person_id = $2`,
        [cycleId, personId],
      );
      return rows[0]?.rules ?? undefined;
    },

    /**
     * Whether the cycle names the person as being inspected: in its record, or already in its live
     * state (the projection GET /v1/cycles/{id} shows) while round 2's answer — and with it the
     * record — is still on its way.
     */
    async listedInspecting(cycleId: string, personId: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        `SELECT 1 FROM cycle_people WHERE cycle_id = $1 AND person_id = $2 AND candidate_status = 'inspecting'
         UNION ALL
         SELECT 1 FROM workflow_state_parts
         WHERE workflow_id = $3 AND part LIKE 'candidates.%' AND value->>'personId' = $2 AND value->>'status' = 'inspecting'
         LIMIT 1`,
        [cycleId, personId, cycleWorkflowId(cycleId)],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
