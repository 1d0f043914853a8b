import { RedisAcctSource } from '../client/redis-acct-source.js';
import { runServable } from '../served/main.js';

// the leading controller answers with warm code; else (or if it does not answer) the work is done here
runServable<RedisAcctSource>('sacct', (env) => new RedisAcctSource(env), async () => (await import('../commands/sacct.js')).sacct);
