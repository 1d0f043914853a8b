import { runMain } from '../commands/run-main.js';
import { srun } from '../commands/srun.js';

runMain('srun', srun);
