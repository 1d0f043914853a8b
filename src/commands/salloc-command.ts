/**
 * salloc's command as a process, as salloc 22.05 forks it: in a process group
 * of its own (signals for salloc's group do not reach it), given the terminal
 * when salloc has it, so a shell runs with job control and Ctrl-C reaches the
 * shell's job rather than salloc; the terminal is taken back and its modes
 * restored afterwards. Node cannot call setpgid/tcsetpgrp: a line of perl
 * does it and then execs the command (without perl the command gets a
 * session of its own, or, on a terminal, salloc's group, whose shell takes
 * the terminal itself).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { checkProgram } from '../steps/program.js';
import { findPerl } from '../steps/task-launcher.js';

/**
 * Own process group; on a terminal take it (SIGTTOU ignored meanwhile, as a
 * background group may not otherwise); TSTP stays ignored as salloc leaves
 * it; then become the command.
 */
const FOREGROUND = `my $tty = shift; setpgrp(0, 0);
if ($tty) { require POSIX; local $SIG{TTOU} = 'IGNORE'; POSIX::tcsetpgrp(0, $$); $SIG{TSTP} = 'IGNORE'; }
exec { $ARGV[0] } @ARGV; exit 1;`;

const RECLAIM = `require POSIX; $SIG{TTOU} = 'IGNORE'; POSIX::tcsetpgrp(0, getpgrp());`;

/** salloc is interactive when its stdin is a terminal whose foreground group is salloc's (/proc/self/stat: pgrp, tpgid). */
export function isInteractive(): boolean {
  if (!isatty(0)) return false;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[2] === f[5];
  } catch {
    return true;
  }
}

export type Resolved = { ok: true; argv: string[] } | { ok: false; program: string };

/** The command to run: as given, or the user's login shell; found the way salloc's search_path finds it. */
export function resolveCommand(command: readonly string[], loginShell: string, path: string | undefined, cwd: string): Resolved {
  const argv = command.length > 0 ? [...command] : [loginShell];
  return checkProgram(argv[0]!, path, cwd).ok ? { ok: true, argv } : { ok: false, program: argv[0]! };
}

export interface Started {
  child: ChildProcess;
  /** the command's process group (its pid), or undefined when it shares salloc's */
  group?: number;
  /** give the terminal back to salloc and restore its modes */
  restore(): void;
}

export function startCommand(argv: string[], env: Record<string, string>, cwd: string, interactive: boolean): Started {
  const perl = findPerl();
  const modes = interactive ? spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' }).stdout?.trim() : undefined;
  const restore = () => {
    if (!interactive) return;
    if (perl) spawnSync(perl, ['-e', RECLAIM], { stdio: 'inherit' });
    if (modes) spawnSync('stty', [modes], { stdio: ['inherit', 'ignore', 'ignore'] });
  };
  if (perl) {
    const child = spawn(perl, ['-e', FOREGROUND, interactive ? '1' : '0', ...argv], { cwd, env, stdio: 'inherit' });
    return { child, group: child.pid, restore };
  }
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: 'inherit', detached: !interactive });
  return { child, group: interactive ? undefined : child.pid, restore };
}

/** Send a signal to the command (its group, as salloc's killpg). */
export function signalCommand(s: Started, signal: NodeJS.Signals | number): void {
  try {
    if (s.group !== undefined) process.kill(-s.group, signal);
    else s.child.kill(signal);
  } catch {
    // already gone
  }
}
