/**
 * The served commands' protocol (src/served/protocol.ts): what a command sends
 * of its environment, how its time zone is compared, and how the controller
 * asks for sbatch's input.
 */
import { describe, expect, it } from 'vitest';
import { decodeNeeds, encodeNeeds, servedEnv, zoneOf } from '../../../src/served/protocol.js';
import { scriptCandidates } from '../../../src/script/read.js';

const abs = (p: string) => `/cwd/${p}`;

describe('servedEnv', () => {
  it('sends sbatch the whole environment as it is (the job keeps it)', () => {
    const env = { PATH: '/bin', HOME: '/root', OMP_NUM_THREADS: '4', SLURM_CONF: '/etc/slurm.conf', EMPTY: '' };
    expect(servedEnv('sbatch', env, abs)).toEqual(env);
  });

  it('sends the other commands only what they read', () => {
    const env = { PATH: '/bin', SQUEUE_FORMAT: '%i', SLURM_TIME_FORMAT: 'relative', FLOW_REDIS_URL: 'redis://x/1', TZ: 'UTC', OTHER: 'x', SCANCEL_SIGNAL: 'USR1' };
    expect(servedEnv('squeue', env, abs)).toEqual({ SQUEUE_FORMAT: '%i', SLURM_TIME_FORMAT: 'relative', FLOW_REDIS_URL: 'redis://x/1', TZ: 'UTC', SCANCEL_SIGNAL: 'USR1' });
  });

  it('a relative SLURM_CONF, FLOW_CONFIG or FLOW_STATE_DIR stays with sbatch here (it keeps them as written)', () => {
    expect(servedEnv('sbatch', { SLURM_CONF: 'conf/slurm.conf' }, abs)).toBeUndefined();
    expect(servedEnv('sbatch', { FLOW_STATE_DIR: 'state' }, abs)).toBeUndefined();
    expect(servedEnv('squeue', { SLURM_CONF: 'conf/slurm.conf', FLOW_CONFIG: '' }, abs)).toEqual({ SLURM_CONF: '/cwd/conf/slurm.conf', FLOW_CONFIG: '' });
  });
});

describe('zoneOf', () => {
  it('is TZ when set, even empty; else which /etc/localtime; else UTC', () => {
    expect(zoneOf('Europe/Berlin', Buffer.from('x'))).toBe('TZ=Europe/Berlin');
    expect(zoneOf('', undefined)).toBe('TZ=');
    expect(zoneOf(undefined, undefined)).toBe('UTC');
    const a = zoneOf(undefined, Buffer.from('TZif2 one zone'));
    expect(a).toMatch(/^localtime:[0-9a-f]+-14$/);
    expect(zoneOf(undefined, Buffer.from('TZif2 one zone'))).toBe(a);
    expect(zoneOf(undefined, Buffer.from('TZif2 two zone'))).not.toBe(a);
  });
});

describe('sbatch input asked of the caller', () => {
  it('a script: where to look, as sbatch looks, through any byte but NUL', () => {
    const script = { given: 'job x.sh', ...scriptCandidates('job x.sh', '/home/u', '/opt/bin::/usr/bin') };
    expect(script).toEqual({ given: 'job x.sh', bare: true, paths: ['/home/u/job x.sh', '/opt/bin/job x.sh', '/usr/bin/job x.sh'] });
    expect(decodeNeeds(encodeNeeds({ script }))).toEqual({ script });
    const path = { given: '../a\nb.sh', ...scriptCandidates('../a\nb.sh', '/home/u', undefined) };
    expect(path).toEqual({ given: '../a\nb.sh', bare: false, paths: ['/home/a\nb.sh'] });
    expect(decodeNeeds(encodeNeeds({ script: path }))).toEqual({ script: path });
  });

  it('stdin', () => {
    expect(encodeNeeds({ stdin: true })).toBe('stdin');
    expect(decodeNeeds('stdin')).toEqual({ stdin: true });
    expect(decodeNeeds('')).toEqual({});
  });
});
