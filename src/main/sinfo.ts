import { runMain } from '../commands/run-main.js';

runMain('sinfo', async (_argv, io) => {
  io.stderr('sinfo: error: not available yet in this version of flow-slurm\n');
  return 1;
});
