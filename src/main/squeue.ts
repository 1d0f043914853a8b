import { squeue } from '../commands/squeue.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runMain } from '../commands/run-main.js';
import { loadCluster } from '../cluster/load.js';
import { askController } from '../served/ask.js';

runMain('squeue', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  try {
    // the leading controller answers with warm code; else (or if it does not answer) the work is done here
    const loaded = loadCluster(io.env);
    const answer = loaded.ok ? await askController('squeue', argv, io, loaded.cluster, (c) => source.open(c)) : undefined;
    if (answer) {
      if (answer.stderr) io.stderr(answer.stderr);
      if (answer.stdout) io.stdout(answer.stdout);
      return answer.code;
    }
    return await squeue(argv, io, source);
  } finally {
    await source.close();
  }
});
