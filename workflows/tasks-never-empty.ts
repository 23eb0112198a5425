/**
 * No workflow task of a run that takes Updates ends without a command (patch `tasks-never-empty`).
 *
 * Why: when sdk-core (TS SDK 1.24.0) rebuilds a run that is not in the worker's cache — evicted from
 * a full cache, or any run after a worker restart — it reads two tasks in a row that left no command
 * event, the second followed at once by an Update's task, as one task (its rule for task heartbeats).
 * The live run then gets the older task's jobs (a fired timer, an activity's result) in the same
 * activation as the Update, and the Update first; a later replay of the same history hands them over
 * in the recorded order, one task apart. Wherever that order matters — the senders-record backstop's
 * timer against a newly answered act — what the run did live is not what its history replays, and
 * the run fails every task after with TMPRL1100. Measurement 7 stopped 58 runs so; bench/repro/ shows
 * it with a ten-line workflow and a cache of two. A task that would leave nothing now upserts an
 * empty memo field (`taskMark`): an event (WorkflowPropertiesModified) that keeps the rule from
 * applying, while the memo stays as it was (the server keeps no empty field; the codec leaves an
 * empty payload unencrypted, temporal/codec.ts). It costs an event for each such task.
 *
 * Asked once at a run's start (or carried by its input): a run from before has tasks without commands
 * in its history, and must replay as it was.
 *
 * What counts is what a replay sees too: an Update the validator rejected leaves nothing in history, so
 * neither its job nor its rejection decides whether a task is marked. (Counted as a command, it left a
 * task that also carried a signal unmarked while its replay marked it: found from outside under bursts,
 * the cycle stuck on TMPRL1100. Only such runs replay differently, and those fail their replay already.)
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { patched, type WorkflowInterceptorsFactory, type WorkflowInternalsInterceptor } from '@temporalio/workflow';

export const TASK_MARK_MEMO = 'taskMark';

/**
 * The run's answer lives on its own global object, not in this module: the module is shared by every
 * workflow of a worker thread (worker/shared-modules.ts), while each workflow has globals of its own
 * (the SDK swaps them in and out with the workflow it runs).
 */
const ANSWER = '__huanjieLeaveNoTaskEmpty';
const run = globalThis as { [ANSWER]?: true };

/**
 * Asked first thing in a run: whether its tasks never end without a command — `carried` when its
 * starter says so in its input (no marker), else the patch. Returns the answer, for a run that lets it
 * stand for older patches (one marker).
 */
export function askTasksNeverEmpty(carried = false): boolean {
  if (carried || patched('tasks-never-empty')) run[ANSWER] = true;
  return run[ANSWER] === true;
}

/** `undefined` converts to an empty payload, so the field is never stored. */
const taskMark = () => ({
  modifyWorkflowProperties: {
    upsertedMemo: { fields: { [TASK_MARK_MEMO]: defaultPayloadConverter.toPayload(undefined) } },
  },
});

type Command = Parameters<NonNullable<WorkflowInternalsInterceptor['concludeActivation']>>[0]['commands'][number];
const leavesEvent = (c: Command) => !c.respondToQuery && !c.updateResponse?.rejected;

export const interceptors: WorkflowInterceptorsFactory = () => {
  /** Whether the activation being handled carried a job other than a query (one per workflow: made for each). */
  let acting = false;
  return {
    internals: [
      {
        activate(input, next) {
          // An Update decides nothing here: accepted, it leaves events of its own; rejected, it leaves no
          // trace in history, so a replay never meets it (found from outside: a signal and a rejected
          // Update in one task were left unmarked live, while the replay, which sees the signal alone,
          // marked it — TMPRL1100 on every task after, the cycle stuck).
          if (input.activation.jobs?.some((job) => !job.queryWorkflow && !job.doUpdate)) acting = true;
          return next(input);
        },
        concludeActivation(input, next) {
          const wasActing = acting;
          acting = false;
          // A query's activation is no workflow task; an activation with a command leaves its event, but an
          // answer to a query or a rejection of an Update leaves none.
          if (run[ANSWER] !== true || !wasActing || input.commands.some(leavesEvent)) return next(input);
          return next({ commands: [...input.commands, taskMark()] });
        },
      },
    ],
  };
};
