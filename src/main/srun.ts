import { runMain } from '../commands/run-main.js';

runMain('srun', async (_argv, io) => {
  io.stderr('srun: error: not available yet in this version of flow-slurm\n');
  return 1;
});
