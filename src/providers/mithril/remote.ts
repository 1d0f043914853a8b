/**
 * What the Mithril driver puts on an instance, and the shell lines it runs
 * there over ssh. Pure: the driver does the I/O. Every instance of a run has
 * the run's directory, `~/.flow-slurm/<run name>/` (D below); the batch node
 * (the bid's first instance) also has
 *
 *   D/work/          the submit directory's copy: the job's working directory
 *   D/slurm_script   the batch script
 *   D/env.sh         the batch step's environment (no secret of ours is in it)
 *   D/supervisor.sh  the same supervisor (slurmstepd stand-in) as on the local provider
 *   D/bin/           srun and scontrol for inside the job (remote-srun.sh)
 *   D/container.sh   with an image: runs the batch script in it (docker, as Flow's startup script does)
 *   D/end            how the script ended, written by the supervisor
 *   D/out/           output files whose path is outside the submit directory
 */
import { relative, isAbsolute } from 'node:path';
import { shQuote as q } from '../../sh-quote.js';

export { q };

/** The run's directory on every instance, as a shell word that expands there. */
export const remoteDir = (name: string): string => `"$HOME/.flow-slurm/"${q(name)}`;

/**
 * The submit environment's variables that describe the submit machine (or are
 * ours) and mean nothing on an instance: not sent. MITHRIL_* (the API key
 * above all) never leaves this machine.
 */
const HOST_ONLY = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'TMPDIR', 'MAIL', 'HOSTNAME', 'DISPLAY', 'TERM', 'SHLVL', '_',
  'LD_PRELOAD', 'SLURM_CONF', 'KRB5CCNAME', 'SSH_AUTH_SOCK', 'SSH_AGENT_PID', 'SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY',
]);
const HOST_PREFIXES = ['MITHRIL_', 'FLOW_', 'FAKETIME', 'XDG_', 'DBUS_'];

export function sendableEnv(env: Readonly<Record<string, string>>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || HOST_ONLY.has(k) || HOST_PREFIXES.some((p) => k.startsWith(p))) continue;
    if (secrets.some((s) => s !== '' && v.includes(s))) continue;
    out[k] = v;
  }
  return out;
}

/** env.sh: the environment as `export` lines; the job's bin first on the instance's own PATH. */
export function envScript(env: Readonly<Record<string, string>>, name: string): string {
  const dir = remoteDir(name);
  const lines = ['# the batch step\'s environment (flow-slurm)'];
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) lines.push(`export ${k}=${q(v)}`);
  // FLOW_SLURM_RUN: how srun inside the job finds its run (remote-srun.sh)
  lines.push(`export PATH=${dir}/bin:"$PATH"`, `export SLURM_SUBMIT_DIR=${dir}/work`, `export FLOW_SLURM_RUN=${q(name)}`);
  return `${lines.join('\n')}\n`;
}

/** Where a file of the job lives on the batch node: its place in the submit directory's copy, else under D/out. */
export function remotePath(local: string, workDir: string, dir: string, index: number): string {
  if (local === '/dev/null') return '/dev/null';
  const rel = relative(workDir, local);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return `${dir}/work/${q(rel)}`;
  return `${dir}/out/${index}`;
}

/**
 * /etc/hosts on an instance: each node name of the job at its private
 * address (lines of ours are marked, and replaced), as root or through
 * `sudo -n`; a node that allows neither says so on stderr.
 */
export function hostsScript(nodes: readonly { name: string; ip: string }[]): string {
  const add = nodes.map((n) => `${n.ip} ${n.name} # flow-slurm`).join('\\n');
  return [
    'if command -v flock >/dev/null 2>&1; then exec 7>/tmp/.flow-slurm-hosts.lock; flock 7; fi',
    't=$(mktemp) || exit 1',
    `awk -v names=${q(nodes.map((n) => n.name).join(' '))} 'BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1 }`,
    '  !($NF == "flow-slurm" && $(NF-1) == "#" && ($2 in mine)) { print }\' /etc/hosts > "$t"',
    `printf '${add}\\n' >> "$t"`,
    'if [ -w /etc/hosts ]; then cat "$t" > /etc/hosts',
    'elif sudo -n true 2>/dev/null; then sudo -n tee /etc/hosts < "$t" > /dev/null',
    `else echo ${q(`flow-slurm: cannot write /etc/hosts: the job's node names (${nodes.map((n) => n.name).join(' ')}) may not resolve here`)} >&2`,
    'fi',
    'rm -f "$t"',
  ].join('\n');
}

/**
 * The batch step in a container (`#FLOW --image`): `docker run` with the
 * node's GPUs, its network, the run's directory at the same path (the submit
 * directory's copy, the job's srun) and the step's environment, its working
 * directory the same. Signals reach the container through docker's proxy.
 */
export function containerScript(image: string, name: string): string {
  const dir = remoteDir(name);
  return [
    '#!/bin/sh',
    `# the batch step in ${image} (flow-slurm)`,
    'envs=$(env | sed -n \'s/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p\' | grep -v -e \'^HOME$\' -e \'^PATH$\' -e \'^HOSTNAME$\' | sed \'s/^/-e /\')',
    `D=${dir}`,
    `exec docker run --rm --gpus all --network host --ipc host -v "$D:$D" -w "$PWD" $envs -e PATH="$D/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ${q(image)} /bin/sh "$@"`,
    '',
  ].join('\n');
}
