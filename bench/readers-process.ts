/**
 * Measurement 7's readers in a process of their own (bench/readers.ts), driven over the IPC channel by
 * bench/mixed-reads.ts: `start` (the configuration and the cycles in flight), `closed` (a cycle left
 * the drive), `stop` (the drive ended); it answers `times` and exits.
 */
import { runReaders, type ReadersConfig, type ReadTimes } from './readers.js';

export type ToReaders =
  { type: 'start'; config: ReadersConfig; inFlight: string[] } | { type: 'closed'; cycleId: string } | { type: 'stop' };
export type FromReaders = { type: 'ready' } | { type: 'times'; times: ReadTimes };

if (!process.send) throw new Error('bench/readers-process.ts runs as a child with an IPC channel');
const send = (m: FromReaders) => process.send!(m);
const inFlight = new Set<string>();
process.on('message', (m: ToReaders) => {
  if (m.type === 'closed') inFlight.delete(m.cycleId);
  else if (m.type === 'stop') inFlight.clear();
  else {
    for (const id of m.inFlight) inFlight.add(id);
    // Exits once the times are sent: the readers' kept-alive sockets would hold it a few seconds more.
    void runReaders(m.config, inFlight, performance.now()).then((times) =>
      process.send!({ type: 'times', times } satisfies FromReaders, () => process.exit(0)),
    );
  }
});
send({ type: 'ready' });
