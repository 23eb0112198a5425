/**
 * Plays the people of a cycle through the public HTTP API — organizers, the inspection team, the
 * discipline commission, the congress — so campaigns can run end to end in tests and the demo.
 * It acts like a patient client: an input sent too early (the cycle is still moving on) is retried.
 */
import { randomUUID } from 'node:crypto';
import { campaignKeyFromId } from '../domain/ids.js';
import { DEPARTMENTS } from '../domain/policy.js';
import { shortlistRule } from '../domain/rules.js';

export interface SimulatorOptions {
  baseUrl: string;
  organizerToken: string;
  /** A token holding reviewer roles for the departments in the template's policy. */
  reviewerToken: string;
  /** How long one input may keep being refused as "not yet" before the simulator gives up. */
  patienceMs?: number;
  /** Candidates of one cycle inspected at once, as several inspection teams would (default 4). */
  candidateConcurrency?: number;
  log?: (line: string) => void;
  /** Waits this long before each input, so a person can follow the acts (the demo; default 0). */
  pauseMs?: number;
  /** The joint-review departments answer one after another instead of at once (default false). */
  departmentsInTurn?: boolean;
}

/** A template that runs fast: one seat, one candidate, one reviewing department, short periods. */
export const quickTemplate = (secondsPerWorkingDay = 0.05) => ({
  positions: [{ id: 'secretary', title: '党委书记', seats: 1 }],
  committees: { standing: 5, full: 9 },
  policy: {
    inspectionPerSeat: 1,
    shortlistPerSeat: 1,
    publicityWorkingDays: 1,
    calendar: { kind: 'compressed' as const, secondsPerWorkingDay },
    jointReview: { departments: ['discipline' as const], deadlineWorkingDays: 20, chaseAtWorkingDays: 10 },
    inspection: {
      interviews: {
        superiors: 0,
        subordinates: 0,
        disciplineHead: 0,
        hrHead: 0,
        informedPeople: 0,
        serviceUsers: 0,
        previousPosts: 0,
        candidateAndSpouse: 0,
      },
      homeVisitForFirstPromotion: false,
    },
    supervision: { checkpointWorkingDays: 20, escalateAfterWorkingDays: 5 },
  },
});

const NAMES = [
  '王建国',
  '李秀英',
  '张志强',
  '刘海燕',
  '陈国华',
  '杨丽娟',
  '赵卫东',
  '黄晓梅',
  '周振华',
  '吴桂芳',
  '徐立新',
  '孙雪梅',
];
/** A stable Chinese name for a simulated person, from the cycle and person ids. */
const nameFor = (cycleId: string, personId: string) => {
  let h = 0;
  for (const ch of `${cycleId}/${personId}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return NAMES[h % NAMES.length]!;
};

/**
 * The full committee's vote on a shortlist, in its order: every member for the first `seats` of each
 * post, then one vote fewer each, never below none — a tie across the last seat is refused (voted
 * again), and a shortlist may be longer than the committee (50 per post in bench measurement 3).
 */
export function committeeVotes(
  shortlist: { positionId: string; personIds: string[] }[],
  positions: { id: string; seats: number }[],
  members: number,
) {
  return shortlist.flatMap((l) => {
    const seats = positions.find((p) => p.id === l.positionId)?.seats ?? 1;
    return l.personIds.map((personId, i) => ({
      positionId: l.positionId,
      personId,
      inFavor: i < seats ? members : Math.max(0, members - 1 - (i - seats)),
    }));
  });
}

const RETRYABLE = new Set(['WRONG_STAGE', 'NOT_READY', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED']);

export function createSimulator(o: SimulatorOptions) {
  const patience = o.patienceMs ?? 60_000;
  const log = o.log ?? (() => undefined);
  /** Requests that got no answer at all, by cause: retried, and counted for whoever drives the load. */
  const networkErrors = new Map<string, number>();
  /** Set by `stop()`: every call after it (and every retry) fails at once, so drivers given up end. */
  let stopped = false;

  /** One request; a 429 is waited out as its Retry-After says, like a polite client. */
  async function call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const deadline = Date.now() + patience;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
      if (stopped) throw new Error(`simulator stopped: ${method} ${path} not sent`);
      let res: Response;
      try {
        res = await fetch(`${o.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...headers,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (e) {
        // No answer (a connection reset or refused): a GET is asked again, and so is an input, with
        // the same Idempotency-Key, as the README tells clients — it may have been taken.
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        networkErrors.set(why, (networkErrors.get(why) ?? 0) + 1);
        if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer (${why})`);
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const text = await res.text();
      if (res.status === 429 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
        continue;
      }
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
  }

  /**
   * Sends until accepted; "not yet" answers are retried, anything else is an error. Every try carries
   * the same Idempotency-Key, as the README asks of clients: an answer lost to a timeout or a 503 may
   * hide an input that was taken, and its retry must not act twice (nor be refused as a duplicate).
   */
  async function send(path: string, body: unknown, token = o.organizerToken): Promise<any> {
    if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    const deadline = Date.now() + patience;
    const key = { 'idempotency-key': randomUUID() };
    let wait = 50;
    for (;;) {
      const res = await call('POST', path, token, body, key);
      if (res.status === 200 || res.status === 201) return res.body;
      const code = res.body?.error?.code as string | undefined;
      if (!code || !RETRYABLE.has(code) || Date.now() > deadline)
        throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 500);
    }
  }

  async function waitFor(cycleId: string, pred: (state: any) => boolean): Promise<any> {
    const deadline = Date.now() + patience;
    let wait = 50;
    for (;;) {
      const res = await call('GET', `/v1/cycles/${cycleId}`, o.organizerToken);
      if (res.status === 200 && pred(res.body)) return res.body;
      if (Date.now() > deadline)
        throw new Error(
          `${cycleId}: still waiting (${res.status} ${res.body?.stage ?? ''} ${res.body?.waitingFor ?? ''})`,
        );
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 400);
    }
  }

  /**
   * Drives one cycle from launch to closed with one candidate per seat, everybody clear. `marks` gets
   * `performance.now()` when the driver saw the inspection open and saw it done (the stage read
   * "decision"): the benchmark tells the inspection from the rest of the cycle.
   */
  async function driveCycle(cycleId: string, marks?: { inspectionSeen?: number; decisionSeen?: number }): Promise<any> {
    const base = `/v1/cycles/${cycleId}`;
    const initial = await waitFor(cycleId, () => true);
    const positions: { id: string; seats: number }[] = initial.positions;
    const departments: string[] = initial.policy.jointReview.departments;
    const members = initial.committees as { standing: number; full: number };
    const people = positions.flatMap((p) =>
      Array.from({ length: p.seats * initial.policy.inspectionPerSeat }, (_, i) => ({
        positionId: p.id,
        personId: `${p.id}-${i + 1}`,
      })),
    );
    const tallies = (voters: number) =>
      positions.map((p) => ({
        positionId: p.id,
        persons: people
          .filter((x) => x.positionId === p.id)
          .map((x, i) => ({
            personId: x.personId,
            name: nameFor(cycleId, x.personId),
            votes: Math.max(1, Math.floor(voters / (i + 2))),
          })),
      }));

    await send(`${base}/launch`, {
      responsibilities: [{ task: '换届纪律教育', measure: '签订承诺书', deadline: '2026-12-31', owner: '组织部' }],
      educationSessions: 1,
      commitmentLetters: 20,
    });
    await send(`${base}/analysis`, { vacanciesPublishedOn: '2026-11-01', eligibleChecked: people.length });
    await send(`${base}/recommendation-rounds`, { round: 'cadreMeeting', voters: 60, tallies: tallies(60) });
    await send(`${base}/recommendation-rounds`, {
      round: 'fullCommittee',
      voters: members.full,
      tallies: tallies(members.full),
    });
    const inspecting = await waitFor(cycleId, (s) => s.stage === 'inspection');
    if (marks) marks.inspectionSeen = performance.now();
    const candidates = inspecting.candidates as { personId: string }[];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(o.candidateConcurrency ?? 4, candidates.length) }, async () => {
        for (let i = next++; i < candidates.length; i = next++) await inspect(candidates[i]!.personId);
      }),
    );
    async function inspect(personId: string) {
      const cb = `${base}/candidates/${personId}`;
      const team = async () => {
        await send(`${cb}/inspection`, {
          reverseEvaluation: { participants: 20, negative: 0, status: 'clear' },
          checks: Object.fromEntries(
            ['personnelFile', 'personalMattersReport', 'lettersAndPetitions', 'issuesRaised', 'doubtfulPoints'].map(
              (k) => [k, { status: 'clear' }],
            ),
          ),
        });
        // Every critical matter of the default policy is compared, with the counted ones.
        await send(`${cb}/personal-matters`, {
          items: [
            { item: 'realEstate', declared: 1, verified: 1 },
            ...['spouseAbroad', 'childrenAbroad', 'business'].map((item) => ({
              item,
              declared: false,
              verified: false,
            })),
          ],
        });
      };
      const verdict = (d: string) =>
        send(`${cb}/verdicts`, { department: d, verdict: 'clear', reason: '未发现问题' }, o.reviewerToken);
      // The joint review runs inside the inspection, in parallel: each department is an office of its
      // own answering through its own inbox (联审, in parallel per candidate), so the team's acts and every verdict go out
      // together. `departmentsInTurn` sends them one after another, as this simulator did before 12-06.
      if (o.departmentsInTurn) {
        await team();
        for (const d of departments) await verdict(d);
      } else await Promise.all([team(), ...departments.map(verdict)]);
      await send(`${cb}/dossier`, { result: 'passed' });
    }
    const deciding = await waitFor(cycleId, (s) => s.stage === 'decision');
    if (marks) marks.decisionSeen = performance.now();
    const passed = (deciding.candidates as { personId: string; positionId: string; status: string }[]).filter(
      (c) => c.status === 'passed',
    );
    await send(`${base}/standing-committee`, {
      present: members.standing,
      shortlist: positions.map((p) => {
        // As many as the ratio allows; a competitive post short of its ratio says why (差额).
        const rule = shortlistRule(
          p.seats,
          initial.policy.shortlistPerSeat,
          initial.policy.competitivePositions.includes(p.id),
        );
        const personIds = passed
          .filter((c) => c.positionId === p.id)
          .slice(0, rule.max)
          .map((c) => c.personId);
        return {
          positionId: p.id,
          personIds,
          ...(personIds.length < rule.target ? { belowRatioReason: '考察合格人选不足（模拟）' } : {}),
        };
      }),
    });
    const shortlisted = (await waitFor(cycleId, (s) => s.decision.standing)).decision.standing.shortlist as {
      positionId: string;
      personIds: string[];
    }[];
    await send(`${base}/committee-vote`, {
      present: members.full,
      votes: committeeVotes(shortlisted, positions, members.full),
    });
    await send(`${base}/approval`, { decision: 'approved', authority: '上级党委组织部' });
    const electing = await waitFor(cycleId, (s) => s.stage === 'election');
    const approved = (electing.nominees as { personId: string; positionId: string; status: string }[]).filter(
      (n) => n.status === 'approved',
    );
    await send(`${base}/election`, {
      votersPresent: 100,
      validBallots: 98,
      results: positions
        .filter((p) => approved.some((n) => n.positionId === p.id))
        .map((p) => ({
          positionId: p.id,
          persons: approved.filter((n) => n.positionId === p.id).map((n) => ({ personId: n.personId, votes: 90 })),
        })),
    });
    const closed = await waitFor(cycleId, (s) => s.status === 'closed');
    log(
      `${cycleId} closed: ${closed.results.map((r: any) => `${r.title} ${r.elected.map((e: any) => e.name).join('、')}`).join('; ')}`,
    );
    return closed;
  }

  /**
   * Drives every cycle a campaign launches, as they appear, until the campaign reports done.
   * Returns the ids of the cycles it closed.
   */
  async function runCampaign(campaignId: string, concurrency = 25): Promise<string[]> {
    const { rootId, level, term } = campaignKeyFromId(campaignId);
    const claimed = new Set<string>();
    const running = new Set<Promise<void>>();
    const closed: string[] = [];
    const errors: Error[] = [];
    for (;;) {
      const progress = await call('GET', `/v1/campaigns/${campaignId}`, o.organizerToken);
      if (progress.status === 200 && progress.body.done) break;
      if (errors.length > 0) throw errors[0];
      let after: string | null = null;
      do {
        const page = await call(
          'GET',
          `/v1/cycles?scope=${rootId}&level=${level}&status=running&limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`,
          o.organizerToken,
        );
        if (page.status !== 200) throw new Error(`listing cycles: ${page.status} ${JSON.stringify(page.body)}`);
        for (const c of page.body.cycles as { id: string }[]) {
          // Only this campaign's cycles: the same subtree may hold other terms' cycles.
          if (claimed.has(c.id) || running.size >= concurrency || !c.id.endsWith(`:${term}`)) continue;
          claimed.add(c.id);
          const p: Promise<void> = driveCycle(c.id)
            .then(
              () => {
                closed.push(c.id);
              },
              (e: Error) => {
                errors.push(e);
              },
            )
            .finally(() => running.delete(p));
          running.add(p);
        }
        after = page.body.next;
      } while (after && running.size < concurrency);
      await new Promise((r) => setTimeout(r, 200));
    }
    await Promise.all(running);
    if (errors.length > 0) throw errors[0];
    return closed;
  }

  return {
    call,
    driveCycle,
    runCampaign,
    send,
    waitFor,
    noAnswer: () => Object.fromEntries(networkErrors),
    /** Ends every drive still going at its next request (a benchmark that gave them up). */
    stop: () => {
      stopped = true;
    },
  };
}

export const ALL_DEPARTMENTS = DEPARTMENTS;
