/**
 * The process entry of a command the controller may answer (see protocol.ts):
 * ask it; if it does not answer, run the command here, on the same source.
 */
import type { Cluster } from '../cluster/load.js';
import { loadCluster } from '../cluster/load.js';
import type { Session } from '../client/session.js';
import type { IO } from '../commands/io.js';
import { runMain } from '../commands/run-main.js';
import { askController } from './ask.js';
import { ASKED, type ServedCommand } from './protocol.js';

interface Source {
  open(cluster: Cluster): Promise<Session>;
  close(): Promise<void>;
}

/** `command` is loaded only when the controller does not answer (its formatting code is most of the bundle). */
export function runServable<S extends Source>(name: ServedCommand, makeSource: (env: IO['env']) => S,
  command: () => Promise<(argv: string[], io: IO, source: S) => Promise<number>>): void {
  runMain(name, async (argv, io) => {
    const source = makeSource(io.env);
    try {
      const loaded = loadCluster(io.env);
      // the served commands' client asked already (src/served/client)
      const asked = (globalThis as Record<symbol, unknown>)[ASKED] === true;
      const answer = loaded.ok && !asked ? await askController(name, argv, io, loaded.cluster, (c) => source.open(c)) : undefined;
      if (answer) {
        if (answer.stderr) io.stderr(answer.stderr);
        if (answer.stdout.length) (io.stdoutBytes ?? ((b: Buffer) => io.stdout(b.toString())))(answer.stdout);
        return answer.code;
      }
      return await (await command())(argv, io, source);
    } finally {
      await source.close();
    }
  });
}
