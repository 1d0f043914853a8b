/**
 * Where the parsed form of a slurm.conf is kept (load.ts), named by the
 * file's content. Pure: the served commands' client (src/served/client)
 * reads the cluster's name from it without loading the parser.
 */

/** Bumped whenever the parsed shape changes. */
export const CONF_FORMAT = 2;

/** FNV-1a, 32 bits: a content key (node:crypto costs more to load than this costs to run). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cache file of a slurm.conf's text, under the state directory. */
export function confCacheFile(stateDir: string, text: string): string {
  return `${stateDir}/conf-cache/${fnv1a(text)}-${text.length}-v${CONF_FORMAT}.json`;
}
