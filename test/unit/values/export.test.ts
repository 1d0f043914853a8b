import { describe, expect, it } from 'vitest';
import { applyExport, parseExport } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: jobs run with `sbatch --export=<value>` from an
// environment with FOO=foo BAR=bar MYV=1 SLURM_ZZZ=zz PATH=/custom/bin:..., printing what they got.
// "LOGIN" = the job also had the login environment (SLURM_GET_USER_ENV=1, HOME/USER/login PATH).
const submitEnv = { FOO: 'foo', BAR: 'bar', MYV: '1', SLURM_ZZZ: 'zz', PATH: '/custom/bin' };
const KEYS = ['FOO', 'BAR', 'BAZ', 'A', 'B', 'MYV', 'PATH', 'SLURM_ZZZ', 'SLURM_EXPORT_ENV', 'SLURM_GET_USER_ENV'];
const job = (value: string | undefined): [boolean, Record<string, string>] => {
  const spec = value === undefined ? undefined : parseExport(value);
  const r = applyExport(spec?.ok ? spec.value : undefined, submitEnv);
  return [r.loadLoginEnv, Object.fromEntries(KEYS.filter((k) => k in r.env).map((k) => [k, r.env[k]!]))];
};
const list = (value: string, extra: Record<string, string>): [boolean, Record<string, string>] => [
  true,
  { ...extra, SLURM_ZZZ: 'zz', SLURM_EXPORT_ENV: value, SLURM_GET_USER_ENV: '1' },
];

describe('--export', () => {
  it.each<[string | undefined, [boolean, Record<string, string>]]>([
    [undefined, [false, submitEnv]],
    ['ALL', [false, submitEnv]],
    ['all', [false, submitEnv]],
    ['NONE', list('NONE', {})],
    ['none', list('none', {})],
    ['NIL', list('NIL', {})], // 23.02 only; a variable name in 22.05
    ['', list('', {})],
    ['FOO', list('FOO', { FOO: 'foo' })],
    ['FOO,BAZ=1', list('FOO,BAZ=1', { FOO: 'foo', BAZ: '1' })],
    ['ALL,FOO=x', list('ALL,FOO=x', { ...submitEnv, FOO: 'x' })], // explicit value wins, login env too
    ['FOO=1,ALL', list('FOO=1,ALL', submitEnv)], // left to right
    ['ALL,NONE', list('ALL,NONE', submitEnv)],
    ['NONE,FOO', list('NONE,FOO', { FOO: 'foo' })],
    ['A=1,B=x y', list('A=1,B=x y', { A: '1', B: 'x y' })],
    ['FOO=a,b', list('FOO=a,b', { FOO: 'a' })],
    ['FOO="a,b"', list('FOO="a,b"', { FOO: '"a,b"' })], // quotes inside a value stay
    ['"FOO=a,b"', list('"FOO=a,b"', { FOO: 'a,b' })], // quotes around a token go
    ["'FOO=1',BAR", list("'FOO=1',BAR", { FOO: '1', BAR: 'bar' })],
    ["FOO='a,b',BAR=2", list("FOO='a,b',BAR=2", { FOO: "'a,b'", BAR: '2' })],
    ["FOO=a'b,c'd,BAR", list("FOO=a'b,c'd,BAR", { FOO: "a'b,c'd", BAR: 'bar' })],
    ['=x', list('=x', {})],
    ['FOO=', list('FOO=', { FOO: '' })],
    ['FOO,,BAR', list('FOO,,BAR', { FOO: 'foo', BAR: 'bar' })],
    ['FOO=1=2', list('FOO=1=2', { FOO: '1=2' })],
    ['BAR,FOO=$BAR', list('BAR,FOO=$BAR', { FOO: '$BAR', BAR: 'bar' })],
    ['ALL,-FOO', list('ALL,-FOO', submitEnv)],
    ['PATH', list('PATH', { PATH: '/custom/bin' })],
    ['SLURM_ZZZ=mine', list('SLURM_ZZZ=mine', {})], // the caller's SLURM_* win
  ])('--export=%j', (value, expected) => expect(job(value)).toEqual(expected));

  // sbatch logs `sbatch: error: Improperly formed environment variable (<rest>)` and still submits
  it.each([
    ["'", "'"],
    ['FOO=a"b,c', 'FOO=a"b,c'],
    ['"FOO=1', '"FOO=1'],
    ['A,B="x', 'B="x'],
  ])('%j warns about %j', (value, rest) => {
    const r = parseExport(value);
    expect(r.ok && r.value.warnings).toEqual([`Improperly formed environment variable (${rest})`]);
  });

  it('keeps an unterminated value whole', () => {
    expect(job('FOO=a"b,c')[1].FOO).toBe('a"b,c');
  });

  it('raw structure', () => {
    expect(parseExport('ALL,FOO=1,BAR')).toEqual({
      ok: true,
      value: {
        mode: 'LIST',
        raw: 'ALL,FOO=1,BAR',
        warnings: [],
        items: [{ kind: 'all' }, { kind: 'set', name: 'FOO', value: '1' }, { kind: 'name', name: 'BAR' }],
      },
    });
  });
});
