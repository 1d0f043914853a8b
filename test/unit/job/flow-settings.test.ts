/**
 * Flow's own settings, pure parts: flow.json's schema and its one-line
 * errors, which provider a job goes to (and the refusal when it cannot run
 * jobs), the Flow task of a local job, and the hosts lines we add and remove.
 */
import { describe, expect, it } from 'vitest';
import { keyPath, parseFlowConfig } from '../../../src/cluster/flow-config.js';
import { builtinSlurmConf } from '../../../src/cluster/load.js';
import { parseSlurmConf } from '../../../src/cluster/slurm-conf.js';
import { missingHostLines, withoutNodeLines, hostsPolicy } from '../../../src/providers/local/node-hosts.js';
import { buildJob } from '../../../src/job/build-job.js';
import { toFlowTask } from '../../../src/job/flow-task.js';
import { providerRefusal } from '../../../src/job/provider-route.js';
import { parseSubmission } from '../../../src/submit/parse.js';

const error = (text: string) => {
  const r = parseFlowConfig(text, 'flow.json');
  return r.ok ? 'ok' : r.message;
};

describe('flow.json', () => {
  it('accepts every documented key', () => {
    const text = JSON.stringify({
      defaults: { provider: 'local' },
      partitions: { h100: { provider: 'mithril', instanceType: '8xh100', gpuType: 'h100', shapes: [8], maxPricePerHour: 60, region: 'us-central1-a', priority: 'high', image: 'x' } },
      etcHosts: false,
      mithril: { apiUrl: 'http://127.0.0.1:1', project: 'default', sshKeys: ['sshkey_1'] },
    });
    expect(error(text)).toBe('ok');
    expect(error('{}')).toBe('ok');
  });

  it('names the key and what was expected, in one line', () => {
    expect(error('{"defaults":{"provider":"aws"}}')).toBe('flow.json: defaults.provider: expected one of "local", "mithril", got "aws"');
    expect(error('{"defaults":{"priority":"urgent"}}')).toBe('flow.json: defaults.priority: expected one of "low", "med", "high", got "urgent"');
    expect(error('{"partitions":{"a":{"shapes":[0]}}}')).toBe('flow.json: partitions.a.shapes[0]: expected a positive number, got 0');
    expect(error('{"partitions":{"a":{"region":7}}}')).toBe('flow.json: partitions.a.region: expected a string, got 7');
    expect(error('{"defaults":{"a":1,"b":2}}')).toBe('flow.json: defaults.a: unknown key (also b); expected one of provider, instanceType, gpuType, shapes, maxPricePerHour, region, priority, image');
    expect(error('{"mithril":{"key":"x"}}')).toBe('flow.json: mithril.key: unknown key; expected one of apiUrl, project, sshKeys, sshUser');
    expect(error('"x"')).toBe('flow.json: (top level): expected an object, got "x"');
    expect(error(`{"defaults":{"image":["${'y'.repeat(100)}"]}}`)).toBe(`flow.json: defaults.image: expected a string, got ["${'y'.repeat(35)}...`);
    expect(error(`{"defaults":{"image":[${'1,'.repeat(40)}1]}}`)).toMatch(/^flow\.json: defaults\.image: expected a string, got \[1,1,.{32}\.\.\.$/);
    expect(error('{')).toMatch(/^flow\.json: not valid JSON \(.+\)$/);
    for (const bad of ['{"defaults":{"provider":"aws"}}', '{"x":1}', '[', '{"partitions":{"a":{"shapes":["1"]}}}']) expect(error(bad)).not.toContain('\n');
  });

  it('writes key paths as in the file', () => {
    expect(keyPath([])).toBe('(top level)');
    expect(keyPath(['partitions', 'h100', 'shapes', 2])).toBe('partitions.h100.shapes[2]');
  });
});

describe('the provider a job goes to', () => {
  const config = { defaults: { provider: 'local' as const }, partitions: { h100: { provider: 'mithril' as const } } };
  const batch = { batch: true, env: { HOME: '/nonexistent' } };
  const keyed = { batch: true, env: { HOME: '/nonexistent', MITHRIL_API_KEY: 'fkey_x' } };
  const noKey = 'cannot be used: no Mithril API key: set MITHRIL_API_KEY (or api_key in ~/.flow/config.yaml)';
  it('refuses Mithril without an API key, from the job or from any of its partitions', () => {
    expect(providerRefusal('gpu', config, {}, batch)).toBeUndefined();
    expect(providerRefusal('gpu', config, { provider: 'mithril' }, batch)).toBe(`provider mithril ${noKey}`);
    expect(providerRefusal('h100', config, {}, batch)).toBe(`partition h100 is served by provider mithril (flow.json), which ${noKey}`);
    expect(providerRefusal('gpu,h100', config, {}, batch)).toMatch(/^partition h100 /);
    // the job's own choice wins over its partition's
    expect(providerRefusal('h100', config, { provider: 'local' }, batch)).toBeUndefined();
    expect(providerRefusal('gpu', { defaults: { provider: 'mithril' } }, {}, batch)).toMatch(/^partition gpu is served by provider mithril/);
  });
  it('takes batch jobs to Mithril once a key is set; never an allocation of srun or salloc', () => {
    expect(providerRefusal('h100', config, {}, keyed)).toBeUndefined();
    expect(providerRefusal('h100', config, {}, { ...keyed, batch: false })).toBe(
      "partition h100 is served by provider mithril (flow.json), which runs batch jobs only: an allocation of srun's or salloc's own on Mithril is not built yet");
  });
});

describe('the Flow task of a local job', () => {
  // the built-in cluster, its GPUs typed (so a job may name the model)
  const conf = parseSlurmConf(builtinSlurmConf().replace('Gres=gpu:8', 'Gres=gpu:h100:8'));
  if (!conf.ok) throw new Error(conf.message);
  const task = (argv: string[]) => {
    const parsed = parseSubmission({ argv: [...argv, '--wrap', 'true'], env: {}, cwd: '/w', now: new Date(0), readStdin: () => Buffer.alloc(0) });
    if (parsed.kind !== 'ok') throw new Error('parse');
    const built = buildJob({ request: parsed.submission.resolution.request, state: parsed.submission.resolution.state, script: parsed.submission.script }, conf.config,
      { userId: 0, userName: 'root', groupId: 0, groupName: 'root', submitHost: 'h', allocSid: 1, jobId: 1, now: 0, cwd: '/w' });
    if (!built.ok) throw new Error(built.messages.join());
    return toFlowTask(built.job, conf.config, {}, parsed.submission.flow);
  };
  it('is what the job asked for: no instance shape, price or region', () => {
    expect(task(['--gpus=1'])).toEqual({
      provider: 'local', name: 'wrap', partition: 'gpu', nodes: 1, gpus: 1, maxRunTimeHours: null,
      command: ['slurm_script'], workingDir: '/w', env: {}, exportAll: true,
    });
    expect(task(['-N2', '--gpus-per-node=h100:4', '-t', '30'])).toMatchObject({ nodes: 2, gpus: 8, gpuType: 'h100', maxRunTimeHours: 0.5 });
    expect(task([])).toMatchObject({ gpus: 0 });
    expect(Object.values(task(['--gpus=1']))).not.toContain(undefined);
  });
});

describe('hosts lines', () => {
  it('are added for names that do not resolve and removed by their mark alone', () => {
    const text = '127.0.0.1 localhost\n127.0.1.1 other\n';
    const added = missingHostLines(['a', 'other'], text);
    expect(added).toEqual(['127.0.1.2 a  # flow-slurm emulated node']);
    const withOurs = `${text}${added.join('\n')}\n# a comment\n`;
    expect(withoutNodeLines(withOurs)).toEqual({ text: `${text}# a comment\n`, removed: 1 });
    expect(withoutNodeLines(text)).toEqual({ text, removed: 0 });
  });

  it('are turned off by FLOW_ETC_HOSTS=0 or "etcHosts": false', () => {
    expect(hostsPolicy({}, {})).toEqual({ file: '/etc/hosts', edit: true });
    expect(hostsPolicy({ FLOW_ETC_HOSTS: '0' }, {}).edit).toBe(false);
    expect(hostsPolicy({}, { etcHosts: false }).edit).toBe(false);
    expect(hostsPolicy({ FLOW_HOSTS_FILE: '/tmp/h' }, { etcHosts: true })).toEqual({ file: '/tmp/h', edit: true });
  });
});
