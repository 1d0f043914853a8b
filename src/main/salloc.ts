import { runMain } from '../commands/run-main.js';
import { salloc } from '../commands/salloc.js';

runMain('salloc', salloc);
