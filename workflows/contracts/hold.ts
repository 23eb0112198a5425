/**
 * What a report or a high risk answers its registration with: whether the hold it puts on a cycle
 * is there yet. Registration waits for this Update before it answers, so no input sent after the
 * answer can pass the gate the hold is meant to shut. A leaf module.
 */
import { defineUpdate } from '@temporalio/workflow';

export type HoldPlaced =
  /** On the cycle; `cycleVersion` is the cycle's version with the hold in it (absent in runs from before it was kept). */
  | { state: 'placed'; name: string; cycleVersion?: number }
  /** Nothing to hold (no cycle, a person no longer in it, a cycle that has ended): why, in words. */
  | { state: 'none'; why: string };

/** Answers once the workflow's first step (placing its hold, or finding there is none to place) is done. */
export const holdPlacedUpdate = defineUpdate<HoldPlaced, []>('holdPlaced');

/** The update id registration sends it with: a repeated registration is answered from the first. */
export const HOLD_PLACED_UPDATE_ID = 'hold-placed';

/** What the cycle gateway's hold activity answered (activities/cycle-gateway.ts GatewayResult), as a HoldPlaced. */
export function holdPlacedFrom(
  name: string,
  held: { done: true; version?: number } | { done: false; why: string },
): HoldPlaced {
  if (!held.done) return { state: 'none', why: held.why };
  return { state: 'placed', name, ...(held.version !== undefined ? { cycleVersion: held.version } : {}) };
}

/** Why a report on someone outside any cycle holds nothing (said by the workflow and by intake alike). */
export const holdsNoCycle = (target: 'official' | 'jurisdiction') =>
  `a report on ${target === 'official' ? 'an official' : 'a jurisdiction'} holds no cycle`;
