/**
 * Replays recorded histories of finished workflows with today's workflow code. A change that would
 * make running workflows non-deterministic fails here, before it reaches them; such a change goes
 * behind `patched()` (README "Replay"). The fixtures are one baseline (`-v1`), recorded before any
 * production deployment, all by one command: `npm run record:histories` (encrypted with the test key).
 * A later patch adds fixtures of its own (`-v2`, …) beside these, kept until its life ends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { parseCodecKeys } from '../../temporal/codec.js';
import { dataConverter } from '../../temporal/connection.js';
import { TEST_CODEC_KEYS } from '../keys.js';

const dir = new URL('../fixtures/histories/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded histories', () => {
  it('has the baseline: a closed cycle, a continued one, both candidate outcomes, both report endings, supervision', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'cycle-closed-v1.json',
        'cycle-continued-v1.json',
        'candidate-passed-v1.json',
        'candidate-stopped-v1.json',
        'report-clarified-v1.json',
        'report-substantiated-v1.json',
        'supervision-closed-v1.json',
        // records-one-at-a-time (README "Replay"): overlapping records, now one after another.
        'cycle-first-task-v2.json',
        'candidate-first-task-v2.json',
        // aborted-replaces-nobody: an abort in inspection stops every candidate, replaces none.
        'cycle-aborted-inspecting-v2.json',
        // records-as-activities: the same three, their records through ordinary activities.
        'cycle-first-task-v3.json',
        'candidate-first-task-v3.json',
        'cycle-aborted-inspecting-v3.json',
        // abort-stops-advance: an abort landing while the candidates open stops the cycle there.
        'cycle-abort-during-advance-v4.json',
        // senders-record-acts: inputs answered at once, their acts recorded by their senders; a
        // candidate's outcome heard by Update. A whole cycle, both candidate endings, and the four above.
        'cycle-closed-v5.json',
        'candidate-passed-v5.json',
        'candidate-stopped-v5.json',
        'cycle-first-task-v5.json',
        'candidate-first-task-v5.json',
        'cycle-aborted-inspecting-v5.json',
        'cycle-abort-during-advance-v5.json',
        // A candidate whose starter records its start (input starterRecordsStart; it asks no patch).
        'candidate-passed-v6.json',
        'candidate-stopped-v6.json',
        // due-needs-no-timer: a supervision whose checkpoint was due as it opened, late with no timer.
        'supervision-due-v6.json',
        // supervision-told-phases: a whole cycle telling its supervision only the stages it acts on.
        'cycle-closed-v6.json',
        'supervision-closed-v6.json',
        // finding-holds-current-gate: a finding's hold naming a passed gate holds the current one.
        'cycle-finding-current-gate-v6.json',
        // tasks-never-empty (input tasksNeverEmpty for candidates): no task ends without a command.
        // The newest of each recorded case.
        'cycle-first-task-v7.json',
        'candidate-first-task-v7.json',
        'cycle-aborted-inspecting-v7.json',
        'cycle-abort-during-advance-v7.json',
        'cycle-finding-current-gate-v7.json',
        'supervision-due-v7.json',
        'cycle-closed-v7.json',
        'supervision-closed-v7.json',
        'candidate-passed-v7.json',
        'candidate-stopped-v7.json',
        'report-clarified-v7.json',
        'report-substantiated-v7.json',
        // risk-holds-current-gate: a high risk filed on a passed stage holds the current gate.
        'cycle-risk-current-gate-v8.json',
        // holds-follow-the-nominee: a dropped nominee's open report hold shuts no gate.
        'cycle-dropped-nominee-hold-v8.json',
        // campaign-own-cycles-only: a campaign launching three targets, one already started directly;
        // before the patch (-v8) it counted and awaited all three, after it (-v9) only its own two.
        // Recorded by test/api/campaign.test.ts with RECORD_HISTORIES=1 (-v8 on the code before it).
        'campaign-launched-v8.json',
        'campaign-launched-v9.json',
        'campaign-completed-v9.json',
        // supervision-outlives-the-cycle: checkpoints filed and a rectification accepted after the
        // cycle closed (test/api/supervision.test.ts). A cycle whose candidates who passed, then
        // reported, were withdrawn (withdrawCandidate; no patch: test/api/reports.test.ts).
        'supervision-outlived-v10.json',
        'cycle-candidate-withdrawn-v10.json',
        // holds-follow-the-vote: a report's hold on a passer the committee's vote left out holds no gate.
        'cycle-holds-follow-the-vote-v10.json',
        // hold-before-filing-record: a high finding's hold placed before its filing is recorded.
        'supervision-hold-first-v10.json',
        // replacement-takes-all-tied: a stopped candidate replaced by both people tied at the next rank
        // (test/workflows/cycle.test.ts); no earlier fixture has such a tie, so none takes the old path.
        'cycle-replacement-tied-v12.json',
        // campaign-sweeps-late-places: a place added where the cursor had passed, launched once every page ran
        // (test/api/campaign.test.ts); the -v9 campaign completed before the patch and takes the old path.
        'campaign-swept-v13.json',
        // campaign-visits-kept: the places a campaign met are on record; its last pass launches those it has
        // not met and counts one started directly meanwhile (-v13 above sweeps by the cycles on record).
        'campaign-visits-v14.json',
        // report-late-stays-late: an overdue direct check re-triaged to 立项督办, then concluded: not on time
        // (test/api/reports.test.ts). No earlier fixture closes an overdue report, so none takes the old path.
        'report-late-stays-late-v13.json',
      ]),
    );
  });

  it('replays every fixture without a non-determinism error', async () => {
    const results = await replay(fixtures);
    expect(results).toHaveLength(fixtures.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it("keeps each run's own answer in a thread whose modules every workflow shares: runs that leave no task empty and runs from before, in turn", async () => {
    // The workflow modules are shared by the workflows of a thread (worker/shared-modules.ts). A run
    // from before (-v1) that took a newer run's answer would add a command its history lacks.
    const taking = ['cycle-closed-v7.json', 'supervision-closed-v7.json', 'candidate-passed-v7.json'];
    const before = ['cycle-closed-v1.json', 'supervision-closed-v1.json', 'candidate-passed-v1.json'];
    for (const f of taking) expect(readFileSync(new URL(f, dir), 'utf8'), f).toContain('taskMark');
    for (const f of before) expect(readFileSync(new URL(f, dir), 'utf8'), f).not.toContain('taskMark');
    const results = await replay(taking.flatMap((f, i) => [f, before[i]!, f]));
    expect(results).toHaveLength(9);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});

/** Replays the fixtures, in this order, on one replay worker (one thread). */
async function replay(files: string[]) {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    /* installed already */
  }
  const histories = files.map((f) => {
    const { workflowId, history } = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
    return { workflowId, history: historyFromJSON(history) };
  });
  const results = [];
  for await (const r of Worker.runReplayHistories(
    {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: dataConverter(parseCodecKeys(TEST_CODEC_KEYS)),
      // Sinks are not called on replay, but a workflow that names one needs it registered.
      sinks: { projection: { write: { fn: () => undefined } } },
    },
    histories,
  )) {
    results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : undefined });
  }
  return results;
}
