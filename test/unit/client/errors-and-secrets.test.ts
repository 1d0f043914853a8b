/** What errors may say: no secret (redact.ts), one line (run-main.ts), a reply checked against its command (reply-shape.ts). */
import { describe, expect, it } from 'vitest';
import { replyMismatch } from '../../../src/client/reply-shape.js';
import { parseRedisUrl, RedisReplyError, RedisUrlError } from '../../../src/client/resp.js';
import { errorLine } from '../../../src/commands/run-main.js';
import { noteSecret, redact, secretsOf } from '../../../src/redact.js';

describe('redact', () => {
  const env = { FLOW_REDIS_URL: 'redis://:p%40ss%2Fw0rd@db.example:6380/2', MITHRIL_API_KEY: 'fkey_abc123', HOME: '/home/u' };
  it.each([
    ['cannot reach redis://:p%40ss%2Fw0rd@db.example:6380/2', 'cannot reach redis://:***@db.example:6380/2'],
    ['AUTH p@ss/w0rd failed', 'AUTH *** failed'],
    ['key fkey_abc123 refused', 'key *** refused'],
    ['http://user:other-secret@host/x and ssh://me:x@h', 'http://user:***@host/x and ssh://me:***@h'],
    ['no secret here: /home/u', 'no secret here: /home/u'],
  ])('%s', (text, out) => {
    expect(redact(text, env)).toBe(out);
  });

  it('finds the secrets of an environment by name and in FLOW_REDIS_URL', () => {
    expect(secretsOf({ ...env, MY_TOKEN: 'tok-123456', PATH: '/bin' }).sort()).toEqual(['fkey_abc123', 'p%40ss%2Fw0rd', 'p@ss/w0rd', 'tok-123456'].sort());
    // a short value under such a name is a flag: hiding it would garble every message
    expect(secretsOf({ USE_TOKEN: '1' })).toEqual([]);
  });

  it('hides a secret noted from a file, with no environment at hand', () => {
    noteSecret('from-config-file-key');
    expect(redact('got from-config-file-key')).toBe('got ***');
  });
});

describe('errorLine', () => {
  it.each([
    [new Error('boom'), 'x: error: boom\n'],
    [new Error('two\nlines\r\n  here'), 'x: error: two lines here\n'],
    ['a string', 'x: error: a string\n'],
    [new Error(''), 'x: error: Error\n'],
  ])('%s', (err, line) => {
    expect(errorLine('x', err)).toBe(line);
  });

  it('cuts a long message', () => {
    const line = errorLine('x', new Error('y'.repeat(5000)));
    expect(line.length).toBeLessThan(450);
    expect(line.split('\n')).toHaveLength(2);
  });
});

describe('replyMismatch', () => {
  it.each([
    [['GET', 'k'], 'v', undefined],
    [['GET', 'k'], null, undefined],
    [['GET', 'k'], 1, 'an integer to GET'],
    [['HGET', 'k', 'f'], ['a'], 'an array of 1 to HGET'],
    [['SMEMBERS', 's'], ['1', '2'], undefined],
    [['SMEMBERS', 's'], null, 'nil to SMEMBERS'],
    [['SMEMBERS', 's'], [1], 'an array of 1 to SMEMBERS'],
    [['HMGET', 'h', 'a', 'b'], ['x', null], undefined],
    [['HMGET', 'h', 'a', 'b'], ['x'], 'an array of 1 to HMGET of 2'],
    [['HSETNX', 'h', 'f', 'v'], 'OK', 'a string to HSETNX'],
    [['SCAN', '0'], ['0', ['k']], undefined],
    [['SCAN', '0'], ['x', []], 'an array of 2 to SCAN'],
    [['SET', 'k', 'v', 'NX'], null, undefined],
    [['SET', 'k', 'v'], 1, 'an integer to SET'],
    [['BLPOP', 'k', 1], null, undefined],
    [['EVALSHA', 'sha', 0], [1, 'x'], undefined],
    [['ZMSCORE', 'z', 'a'], [null], undefined],
  ] as [string[], unknown, string | undefined][])('%j -> %j', (args, reply, out) => {
    expect(replyMismatch(args, reply as never)).toBe(out);
  });

  it('an error reply is no answer of the right shape', () => {
    expect(replyMismatch(['GET', 'k'], new RedisReplyError('ERR x'))).toBe('an error to GET');
  });
});

describe('parseRedisUrl', () => {
  it.each([
    ['redis://:pw@h:1/2', { host: 'h', port: 1, db: 2, password: 'pw', username: undefined }],
    ['redis://[::1]:7/0', { host: '::1', port: 7, db: 0, password: undefined, username: undefined }],
  ])('%s', (url, target) => {
    expect(parseRedisUrl(url)).toEqual(target);
  });

  it.each(['nonsense:secret', 'redis://:secret@h/abc', 'http://:secret@h/1', 'redis://:sec ret@[::1/3'])('%s is refused without quoting it', (url) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    try {
      parseRedisUrl(url);
    } catch (e) {
      expect((e as Error).message).not.toMatch(/sec/);
    }
  });
});
