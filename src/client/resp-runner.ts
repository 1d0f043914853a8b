/** Lua scripts through the commands' RESP client. */
import type { LuaScript, ScriptArg, ScriptRunner } from '../store/scripts.js';
import type { RedisClient } from './redis-client.js';
import { RedisReplyError } from './resp.js';

export class RespRunner implements ScriptRunner {
  constructor(private readonly resp: RedisClient) {}

  async run(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<unknown> {
    try {
      return await this.resp.call(['EVALSHA', script.sha, keys.length, ...keys, ...args]);
    } catch (e) {
      if (!(e instanceof RedisReplyError) || !e.message.startsWith('NOSCRIPT')) throw e;
      return this.resp.call(['EVAL', script.lua, keys.length, ...keys, ...args]);
    }
  }
}
