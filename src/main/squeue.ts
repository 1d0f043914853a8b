import { squeue } from '../commands/squeue.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runServable } from '../served/main.js';

// the leading controller answers with warm code; else (or if it does not answer) the work is done here
runServable<RedisJobSource>('squeue', (env) => new RedisJobSource(env), squeue);
