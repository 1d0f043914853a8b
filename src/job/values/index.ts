// The structured sbatch option values with Slurm 22.05's exact rules: parse (errors as values, never
// throws), validate, display. Every parse goes through the grammars in grammar/values.
export type { ValueError, Result } from '../../../grammar/values/result.js';
export { ok, fail } from '../../../grammar/values/result.js';

export { parseTimeLimit, formatDuration, formatTimeLimit, formatSqueueDuration } from './time.js';
export type { TimeLimit } from './time.js';

export { parseDateTime, formatIsoLocal } from './datetime.js';

export { parseMemory, formatMemory } from './memory.js';

export {
  parseArray, validateArray, arrayTaskCount, arrayMin, arrayMax, arrayStep, arrayIncludes, arrayIndices,
  formatArrayIndexSet,
} from './array.js';
export type { ArraySpec, ArrayRange } from './array.js';

export { parseDependency, resolveDependency, formatDependency, formatDependencyTerm } from './dependency.js';
export type { Dependency, DependencyTerm, DependencyType, DependencyState, DependencyStatus } from './dependency.js';

export { expandHostlist, compressHostlist, compressHostlistSorted, compressHostlistExpression, strnatcmp } from './hostlist.js';

export { parseGres, parseGpus, formatGresTres, formatGpusTres, formatTresPerNode } from './gres.js';
export type { GresRequest, GpuRequest } from './gres.js';

export { parseExport, applyExport } from './export.js';
export type { ExportSpec, ExportItem, JobEnvironment } from './export.js';

export { parseSignal, signalNumber, signalName } from './signal.js';
export type { SignalSpec } from './signal.js';

export { parseFilenamePattern, expandFilenamePattern, expandPatternForScontrol, defaultOutputPattern } from './fname.js';
export type { PatternContext, PatternPart, PatternCode } from './fname.js';
