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
