/**
 * scontrol's command line as Slurm 22.05 reads it (src/scontrol/scontrol.c):
 * its option table through GNU getopt_long with permutation (`scontrol show
 * jobid -dd 42` is `-d` and `show jobid 42`), except after `setdebugflags`,
 * whose `-Flag` words are not options; and how it matches its keywords.
 */
import type { CommandLineSpec } from '../options/command-line.js';

export const SCONTROL_COMMAND_LINE: CommandLineSpec = {
  command: 'scontrol',
  optstring: 'adhM:FoQu:vV',
  long: [
    ['all', 'none', 'a'], ['cluster', 'required', 'M'], ['clusters', 'required', 'M'], ['details', 'none', 'd'],
    ['federation', 'none'], ['future', 'none', 'F'], ['help', 'none', 'h'], ['hide', 'none'], ['local', 'none'],
    ['oneliner', 'none', 'o'], ['quiet', 'none', 'Q'], ['sibling', 'none'], ['uid', 'required', 'u'], ['usage', 'none', 'h'],
    ['verbose', 'none', 'v'], ['version', 'none', 'V'],
  ],
  letters: { M: 'clusters' },
  onError: { tryHelp: true, exit: 1 },
  // scontrol looks at the word getopt is at before each option: 8 letters are enough
  stopAt: (word) => word.slice(0, 8).toLowerCase() === 'setdebug',
};

/**
 * scontrol's `xstrncasecmp(tag, name, MAX(strlen(tag), min)) == 0`: tag is a
 * prefix of name in any case, and at least `min` letters long unless it is
 * the whole name.
 */
export function keyword(tag: string, name: string, min: number): boolean {
  const t = tag.toLowerCase();
  return name.toLowerCase().startsWith(t) && (t.length >= min || t.length === name.length);
}

/** `xstrncasecmp(tag, name, strlen(name)) == 0`: tag starts with name, in any case (`hold`, `requeuehold`). */
export const startsWithKeyword = (tag: string, name: string): boolean => tag.slice(0, name.length).toLowerCase() === name;

/** Keywords real scontrol has that flow-slurm does not do: refused by name rather than called unknown. */
export const UNBUILT_KEYWORDS: readonly (readonly [string, number])[] = [
  ['abort', 5], ['cancel_reboot', 3], ['completing', 2], ['cluster', 2], ['create', 2], ['errnumstr', 2], ['errnostr', 2],
  ['fsdampeningfactor', 3], ['fairsharedampeningfactor', 3], ['listpids', 1], ['notify', 1], ['pidinfo', 3], ['ping', 3],
  ['reboot_nodes', 3], ['reconfigure', 3], ['suspend', 2], ['resume', 3], ['top', 3], ['token', 3], ['wait_job', 2],
  ['setdebugflags', 9], ['setdebug', 2], ['schedloglevel', 3], ['write', 5], ['takeover', 8], ['shutdown', 8],
  ['delete', 1], ['callerid', 3], ['gethost', 7], ['getent', 6],
];
