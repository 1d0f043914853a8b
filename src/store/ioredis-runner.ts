/** Lua scripts through ioredis (the controller's connection). */
import type { Redis } from 'ioredis';
import type { LuaScript, ScriptArg, ScriptRunner } from './scripts.js';

export class IoredisRunner implements ScriptRunner {
  constructor(private readonly redis: Redis) {}

  async run(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
      return this.redis.eval(script.lua, keys.length, ...keys, ...args);
    }
  }
}
