/**
 * The listing and accounting lines are built in Lua (includes/listing.lua)
 * and read in TypeScript by field position: both sides must list the same
 * fields in the same order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCT_FIELDS, LINE_FIELDS } from '../../../src/store/stored-job.js';
import { Listed, fieldIndex } from '../../../src/format/squeue/fields.js';

const lua = readFileSync(join(__dirname, '../../../src/store/lua/includes/listing.lua'), 'utf8');
const list = (name: string) => [...new RegExp(`local ${name} = \\{([^}]*)\\}`).exec(lua)![1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]);

describe('listing lines', () => {
  it('Lua and TypeScript agree on the fields and their order', () => {
    expect(list('LINE')).toEqual(LINE_FIELDS);
    expect(['id', ...list('ACCT')]).toEqual(ACCT_FIELDS);
    expect([...ACCT_FIELDS].sort()).toEqual([...new Set([...LINE_FIELDS, ...ACCT_FIELDS])].sort());
  });

  it('cuts fields out of lines, stopping at the last field asked for', () => {
    const lines = ['7\x1fRUNNING\x1f100\x1f\x1fh100', '12\x1fPENDING\x1f99\x1f3-5\x1fa100'];
    const text = lines.join('\x1e');
    const ranges = [0, lines[0]!.length, lines[0]!.length + 1, text.length];
    const some = Listed.fromText(text, ranges, new Map([['id', 0], ['state', 1], ['priority', 2]]));
    expect(some.map((j) => [j.id, j.get('state'), j.num('priority'), j.get('tasks')])).toEqual([[7, 'RUNNING', 100, ''], [12, 'PENDING', 99, '']]);
    const all = Listed.fromLines(lines, fieldIndex(['id', 'state', 'priority', 'tasks', 'partition']));
    expect(all.map((j) => [j.get('tasks'), j.get('partition')])).toEqual([['', 'h100'], ['3-5', 'a100']]);
  });
});
