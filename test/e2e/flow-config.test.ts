/**
 * Flow's own settings as a user meets them: flow.json beside slurm.conf or
 * named by FLOW_CONFIG (a missing one is an error of every command), its
 * errors naming the key and what was expected, jobs routed to a provider
 * without a job driver refused with nothing queued, `flow submit --help`, the
 * Flow task of a local job in a dry run, and the /etc/hosts switch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterSet, SMALL_CONF, type TestCluster } from '../helpers/cluster.js';

const clusters = new ClusterSet();
afterAll(async () => {
  await clusters.destroy();
});

/** SMALL_CONF with a second partition, for jobs routed by their partition */
const TWO_PARTITIONS = `${SMALL_CONF}PartitionName=h100 Nodes=n[1-3] MaxTime=INFINITE State=UP\n`;

/** No job of the cluster was queued: squeue and sacct know none. */
function nothingQueued(c: TestCluster): void {
  expect(c.run('squeue', ['-h']).stdout).toBe('');
  expect(c.run('sacct', ['-n', '-X', '-S', '2000-01-01']).stdout).toBe('');
}

describe('FLOW_CONFIG', () => {
  it('naming a missing file is one error line and a non-zero exit, from every command', () => {
    const c = clusters.make();
    const missing = join(c.dir, 'nope.json');
    const env = { FLOW_CONFIG: missing };
    const calls: [string, string[]][] = [
      ['sbatch', ['--wrap', 'true']], ['squeue', []], ['scancel', ['1']], ['srun', ['true']], ['salloc', ['true']],
      ['sacct', []], ['scontrol', ['show', 'job']], ['sinfo', []], ['flow', ['submit', '--wrap', 'true']],
      ['flow', ['controller', 'status']], ['flow', ['clean']], ['flow', ['pricing']],
    ];
    for (const [cmd, args] of calls) {
      const r = c.run(cmd, args, { env });
      const name = cmd === 'flow' ? 'flow' : cmd;
      expect({ cmd: [cmd, ...args].join(' '), status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        cmd: [cmd, ...args].join(' '), status: 1, stdout: '', stderr: `${name}: error: Unable to read FLOW_CONFIG file ${missing}: No such file or directory\n`,
      });
    }
    nothingQueued(c);
  });

  it('selects the file over the one beside slurm.conf; without it, the one beside slurm.conf is read', () => {
    const c = clusters.make();
    writeFileSync(join(c.dir, 'flow.json'), '{ "defaults": { "provider": "mihtril" } }');
    expect(c.run('sinfo', ['-h']).stderr).toBe(`sinfo: error: ${join(c.dir, 'flow.json')}: defaults.provider: expected one of "local", "mithril", got "mihtril"\n`);
    const chosen = join(c.dir, 'chosen.json');
    writeFileSync(chosen, '{ "defaults": { "provider": "local" } }');
    const r = c.run('sinfo', ['-h'], { env: { FLOW_CONFIG: chosen } });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('each schema error names the key and what was expected, in one line', () => {
    const c = clusters.make();
    const file = join(c.dir, 'flow.json');
    const cases: [string, string][] = [
      ['{ "defaults": { "maxPricePerHour": -1 } }', 'defaults.maxPricePerHour: expected a positive number, got -1'],
      ['{ "partitions": { "gpu": { "shapes": [8, "2"] } } }', 'partitions.gpu.shapes[1]: expected a number, got "2"'],
      ['{ "partitions": { "gpu": { "shapes": [1.5] } } }', 'partitions.gpu.shapes[0]: expected a whole number, got 1.5'],
      ['{ "partiton": {} }', 'partiton: unknown key; expected one of defaults, partitions, etcHosts, mithril'],
      ['{ "defaults": { "maxprice": 1 } }', 'defaults.maxprice: unknown key; expected one of provider, instanceType, gpuType, shapes, maxPricePerHour, region, priority, image'],
      ['{ "mithril": { "project": 3 } }', 'mithril.project: expected a string, got 3'],
      ['{ "etcHosts": "no" }', 'etcHosts: expected true or false, got "no"'],
      ['{ "partitions": [] }', 'partitions: expected an object, got []'],
      ['[1]', '(top level): expected an object, got [1]'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(file, text);
      const r = c.run('sbatch', ['--wrap', 'true']);
      expect([text, r.status, r.stdout, r.stderr]).toEqual([text, 1, '', `sbatch: error: ${file}: ${message}\n`]);
    }
    writeFileSync(file, '{ "defaults": ');
    const r = c.run('squeue', []);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^squeue: error: ${file}: not valid JSON \\(.*\\)\\n$`));
    nothingQueued(c);
  });
});

describe('a provider that cannot take the job', () => {
  const noKey = 'cannot be used: no Mithril API key: set MITHRIL_API_KEY (or api_key in ~/.flow/config.yaml)';
  const refusal = `provider mithril ${noKey}`;
  const batchOnly = "runs batch jobs only: an allocation of srun's or salloc's own on Mithril is not built yet";

  it('is refused, and nothing queued, whichever way the job is sent there', () => {
    const c = clusters.make({ confText: TWO_PARTITIONS });
    writeFileSync(join(c.dir, 'flow.json'), '{ "partitions": { "h100": { "provider": "mithril", "instanceType": "8xh100" } } }');
    writeFileSync(join(c.dir, 'flow-line.sh'), '#!/bin/sh\n#SBATCH -J x\n#FLOW --provider=mithril\ntrue\n');
    const byPartition = `partition h100 is served by provider mithril (flow.json), which ${noKey}`;
    const cases: [string, string[], Record<string, string>, string][] = [
      ['sbatch', ['flow-line.sh'], {}, `sbatch: error: Batch job submission failed: ${refusal}`],
      ['sbatch', ['--wrap', 'true'], { FLOW_PROVIDER: 'mithril' }, `sbatch: error: Batch job submission failed: ${refusal}`],
      ['sbatch', ['-p', 'h100', '--wrap', 'true'], {}, `sbatch: error: Batch job submission failed: ${byPartition}`],
      ['sbatch', ['-p', 'main,h100', '--wrap', 'true'], {}, `sbatch: error: Batch job submission failed: ${byPartition}`],
      ['flow', ['submit', '--provider', 'mithril', '--wrap', 'true'], {}, `flow: error: Batch job submission failed: ${refusal}`],
      ['flow', ['submit', '--dry-run', 'flow-line.sh'], {}, `flow: error: Batch job submission failed: ${refusal}`],
      ['flow', ['submit', '-p', 'h100', '--wrap', 'true'], {}, `flow: error: Batch job submission failed: ${byPartition}`],
      ['srun', ['-p', 'h100', 'true'], {}, `srun: error: Unable to allocate resources: partition h100 is served by provider mithril (flow.json), which ${batchOnly}`],
      ['salloc', ['true'], { FLOW_PROVIDER: 'mithril' }, `salloc: error: Job submit/allocate failed: provider mithril ${batchOnly}`],
    ];
    for (const [cmd, args, env, line] of cases) {
      const r = c.run(cmd, args, { env });
      expect({ call: [cmd, ...args].join(' '), status: r.status, stdout: r.stdout, stderr: r.stderr })
        .toEqual({ call: [cmd, ...args].join(' '), status: 1, stdout: '', stderr: `${line}\n` });
    }
    nothingQueued(c);

    // `--provider local` keeps a job on the local provider, whatever its partition says
    const r = c.run('flow', ['submit', '--provider', 'local', '-p', 'h100', '--wrap', 'true']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`flow: submitting wrap to partition h100 (local: 1 node)\nflow: queued as job ${r.stdout.trim()}\n`);

    // a pending job moved to such a partition is refused too
    const held = c.submit(['-H', '--wrap', 'true']);
    const u = c.run('scontrol', ['update', `JobId=${held}`, 'Partition=h100']);
    expect([u.status, u.stderr]).toEqual([1, `${byPartition} for job ${held}\nslurm_update error: ${byPartition}\n`]);
    expect(c.job(held).get('Partition')).toBe('main');
  });
});

describe('flow submit', () => {
  it('--help shows flow\'s own options, then sbatch\'s', () => {
    const c = clusters.make();
    const r = c.run('flow', ['submit', '--help']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Usage: flow submit \[flow options\] \[sbatch options\] script \[args\.\.\.\]\n/);
    for (const flag of ['--dry-run', '--json', '--provider <name>', '--max-price-per-hour <usd>', '--instance-type <type>', '--region <region>', '--priority <tier>', '--image <image>']) {
      expect(r.stdout).toContain(`  ${flag} `);
    }
    const sbatchHelp = c.run('sbatch', ['--help']).stdout;
    expect(r.stdout.endsWith(`\nsbatch options (all accepted by flow submit):\n\n${sbatchHelp}`)).toBe(true);
    // --usage and --version stay sbatch's
    expect(c.run('flow', ['submit', '--usage']).stdout).toBe(c.run('sbatch', ['--usage']).stdout);
  });

  it('--dry-run: a local job\'s Flow task is what it asked for, no instance shape, price or undefined', () => {
    const c = clusters.make({ confText: SMALL_CONF.replace('RealMemory=8000', 'RealMemory=8000 Gres=gpu:4').replace('DefMemPerCPU', 'GresTypes=gpu\nDefMemPerCPU') });
    const json = c.run('flow', ['submit', '--dry-run', '--json', '--gpus=1', '-t', '90', '--export=ALL,A=1', '--wrap', 'hostname']);
    expect([json.status, json.stderr]).toEqual([0, '']);
    const task = (JSON.parse(json.stdout) as { flowTask: unknown }).flowTask;
    expect(task).toEqual({
      provider: 'local', name: 'wrap', partition: 'main', nodes: 1, gpus: 1, maxRunTimeHours: 1.5,
      command: ['slurm_script'], workingDir: c.dir, env: { A: '1' }, exportAll: true,
    });

    const text = c.run('flow', ['submit', '--dry-run', '-N', '2', '--gpus-per-node=2', '--wrap', 'hostname']);
    expect([text.status, text.stderr]).toEqual([0, '']);
    const flowPart = text.stdout.slice(text.stdout.indexOf('# Flow task\n'));
    expect(flowPart).toBe(`# Flow task\nprovider=local\nname=wrap\npartition=main\nnodes=2\ngpus=4\nmaxRunTimeHours=null\ncommand=["slurm_script"]\nworkingDir=${c.dir}\nenv={}\nexportAll=true\n`);
    expect(text.stdout).not.toContain('undefined');
    nothingQueued(c);
  });
});

describe('flow status', () => {
  it('shows each job\'s state and placement, stored at submit (sbatch and flow submit alike); an unknown job is an error', async () => {
    const c = clusters.make();
    const viaSbatch = c.submit(['--hold', '--wrap', 'true']);
    const submitted = c.run('flow', ['submit', '--hold', '--wrap', 'true']);
    expect(submitted.status).toBe(0);
    const viaFlow = Number(submitted.stdout.trim());
    const text = c.run('flow', ['status', String(viaSbatch), String(viaFlow)]);
    expect([text.status, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toBe([viaSbatch, viaFlow].map((id) => `JobId=${id} JobName=wrap JobState=PENDING Reason=JobHeldUser ExitCode=0:0\n   Provider=local\n`).join(''));
    const json = c.run('flow', ['status', '--json', String(viaSbatch)]);
    expect(JSON.parse(json.stdout)).toEqual([{ jobId: viaSbatch, name: 'wrap', state: 'PENDING', reason: 'JobHeldUser', exitCode: '0:0', placement: { provider: 'local' } }]);
    const unknown = c.run('flow', ['status', '999999']);
    expect([unknown.status, unknown.stdout, unknown.stderr]).toEqual([1, '', 'flow: error: job 999999: Invalid job id specified\n']);
  });
});

describe('/etc/hosts', () => {
  // a stand-in file: the machine's /etc/hosts is shared with every other test
  it.runIf(process.getuid?.() === 0)('FLOW_ETC_HOSTS=0 keeps node names out; without it they are added; flow clean --hosts removes them', () => {
    // node names of this test alone: no other test has made them resolve
    const node = `hostsx${process.pid}n`;
    const c = clusters.make({ confText: SMALL_CONF.replaceAll('n[1-3]', `${node}[1-3]`) });
    const hosts = join(c.dir, 'hosts');
    writeFileSync(hosts, '127.0.0.1 localhost\n');
    const off = c.run('srun', ['-N2', 'true'], { env: { FLOW_HOSTS_FILE: hosts, FLOW_ETC_HOSTS: '0' } });
    expect(off.status).toBe(0);
    expect(off.stderr).not.toContain('hosts');
    expect(readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n');

    writeFileSync(join(c.dir, 'flow.json'), '{ "etcHosts": false }');
    expect(c.run('srun', ['-N2', 'true'], { env: { FLOW_HOSTS_FILE: hosts } }).status).toBe(0);
    expect(readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n');
    writeFileSync(join(c.dir, 'flow.json'), '{}');

    expect(c.run('srun', ['-N2', 'true'], { env: { FLOW_HOSTS_FILE: hosts } }).status).toBe(0);
    const added = readFileSync(hosts, 'utf8').split('\n').filter((l) => l.endsWith('# flow-slurm emulated node'));
    expect(added).toEqual([1, 2, 3].map((i) => expect.stringMatching(new RegExp(`^127\\.0\\.1\\.\\d+ ${node}${i}  # flow-slurm emulated node$`))));

    const clean = c.run('flow', ['clean', '--hosts'], { env: { FLOW_HOSTS_FILE: hosts } });
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain(`flow: removed 3 emulated node lines from ${hosts}\n`);
    expect(readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n');
  });
});
