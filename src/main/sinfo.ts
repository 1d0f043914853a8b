import { freemem, loadavg } from 'node:os';
import { sinfo } from '../commands/sinfo.js';
import { runMain } from '../commands/run-main.js';
import { readControllerView } from '../client/held-resources.js';
import { Session } from '../client/session.js';

runMain('sinfo', async (argv, io) => {
  let session: Session | undefined;
  try {
    return await sinfo(argv, io, {
      held: async (cluster) => {
        session ??= await Session.open(cluster, io.env);
        return (await readControllerView(session, cluster.config.firstJobId)).held;
      },
      // every emulated node runs on this machine: its load and free memory
      host: () => ({ cpuLoad: Math.round((loadavg()[0] ?? 0) * 100), freeMem: Math.floor(freemem() / 1048576) }),
      sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)),
    });
  } finally {
    await session?.close();
  }
});
