import { runMain } from '../commands/run-main.js';

runMain('sacct', async (_argv, io) => {
  io.stderr('sacct: error: not available yet in this version of flow-slurm\n');
  return 1;
});
