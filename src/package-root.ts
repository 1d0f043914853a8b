/** The directory of this package (where bin/ and dist/ are), from any module in src/ or dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bin', 'flow'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('flow-slurm: cannot find the package directory');
    dir = up;
  }
  root = dir;
  return dir;
}
