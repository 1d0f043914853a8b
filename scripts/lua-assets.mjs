// Lua scripts as the build and the tests load them: `--- @include "name"`
// lines are replaced by includes/name.lua (as BullMQ's script loader does),
// and the SHA1 of the result is computed here, for EVALSHA.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function loadLua(path) {
  const text = readFileSync(path, 'utf8').replace(/^--- @include "([\w-]+)"$/gm, (_, name) =>
    readFileSync(join(dirname(path), 'includes', `${name}.lua`), 'utf8'));
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

export function luaModule(path) {
  const { text, sha } = loadLua(path);
  return `export default ${JSON.stringify(text)};\nexport const sha = ${JSON.stringify(sha)};\n`;
}
