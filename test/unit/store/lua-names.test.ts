/**
 * Each Lua script's file name gives its true KEYS count (`cancel-6.lua` takes
 * six keys), as BullMQ names its scripts, so a caller can be checked by eye.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LUA = join(__dirname, '../../../src/store/lua');

describe('Lua script names', () => {
  const files = readdirSync(LUA).filter((f) => f.endsWith('.lua'));
  it('there are scripts to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const file of files) {
    it(`${file}: the name's count is the highest KEYS index it uses`, () => {
      const named = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
      const used = Math.max(...[...readFileSync(join(LUA, file), 'utf8').matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
      expect(used).toBe(named);
    });
  }
});
