import { sinfo } from '../commands/sinfo.js';
import { runMain } from '../commands/run-main.js';
import { sinfoDeps } from '../client/sinfo-deps.js';
import { Session } from '../client/session.js';

runMain('sinfo', async (argv, io) => {
  let session: Promise<Session> | undefined;
  try {
    return await sinfo(argv, io, sinfoDeps((cluster) => (session ??= Session.open(cluster, io.env)), (s) => new Promise((r) => setTimeout(r, s * 1000))));
  } finally {
    await (await session?.catch(() => undefined))?.close();
  }
});
