import { RedisJobSource } from '../client/redis-job-source.js';
import { runServable } from '../served/main.js';

// the leading controller answers with warm code; else (or if it does not answer) the work is done here
runServable<RedisJobSource>('squeue', (env) => new RedisJobSource(env), async () => (await import('../commands/squeue.js')).squeue);
