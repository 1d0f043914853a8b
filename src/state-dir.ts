/** Where flow-slurm keeps its files: FLOW_STATE_DIR, else $XDG_STATE_HOME/flow-slurm, else ~/.local/state/flow-slurm. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.FLOW_STATE_DIR) return env.FLOW_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'flow-slurm');
}
