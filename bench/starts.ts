/**
 * Bench measurement 8 (issue 14, goal 4): `POST /v1/cycles` against a bare `client.workflow.start`
 * of a trivial workflow, interleaved by the same 16 clients so both meet the same load. Goal: the
 * API's p99 ≤ 2× the bare start's.
 */
import { load, round, summarize, type LatencySummary } from './util.js';

export interface Starts {
  starts: number;
  clients: number;
  postCycle: LatencySummary;
  bareWorkflowStart: LatencySummary;
  ratioP99: number;
  ratioP50: number;
}

export async function measureStarts(o: {
  /** Starts of each kind (default 150 each). */
  n: number;
  clients: number;
  /** POST /v1/cycles for cycle `i` of this measurement; throws unless 201. */
  postCycle: (i: number) => Promise<void>;
  /** client.workflow.start of a trivial workflow, nothing awaited after the start. */
  bareStart: (i: number) => Promise<void>;
  log: (line: string) => void;
}): Promise<Starts> {
  // Warm both paths (connections, the first workflow tasks) before anything is timed.
  await load(o.clients, o.clients, (i) => (i % 2 === 0 ? o.postCycle(o.n + i) : o.bareStart(o.n + i)));
  const post: number[] = [];
  const bare: number[] = [];
  await load(o.n * 2, o.clients, async (i) => {
    const t = performance.now();
    if (i % 2 === 0) {
      await o.postCycle(i / 2);
      post.push(performance.now() - t);
    } else {
      await o.bareStart((i - 1) / 2);
      bare.push(performance.now() - t);
    }
  });
  const postCycle = summarize(post);
  const bareWorkflowStart = summarize(bare);
  return {
    starts: o.n,
    clients: o.clients,
    postCycle,
    bareWorkflowStart,
    ratioP99: round(postCycle.p99 / bareWorkflowStart.p99, 1),
    ratioP50: round(postCycle.p50 / bareWorkflowStart.p50, 1),
  };
}
