/** This machine's /etc/localtime, for protocol.ts zoneOf (undefined without one: UTC). */
import { readFileSync } from 'node:fs';

export function localtime(): Buffer | undefined {
  try {
    return readFileSync('/etc/localtime');
  } catch {
    return undefined;
  }
}
