import { sacct } from '../commands/sacct.js';
import { RedisAcctSource } from '../client/redis-acct-source.js';
import { runMain } from '../commands/run-main.js';

runMain('sacct', async (argv, io) => {
  const source = new RedisAcctSource(io.env);
  try {
    return await sacct(argv, io, source);
  } finally {
    await source.close();
  }
});
