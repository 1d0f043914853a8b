/** The SLURM_ARRAY_TASK_COUNT/MIN/MAX/STEP an array job's tasks see, from its --array text. */
import { arrayMax, arrayMin, arrayStep, arrayTaskCount, parseArray } from './values/index.js';

export interface ArrayFacts {
  count: number;
  min: number;
  max: number;
  step: number;
}

export function arrayFacts(spec: string): ArrayFacts {
  const p = parseArray(spec);
  if (!p.ok) return { count: 0, min: 0, max: 0, step: 1 };
  return { count: arrayTaskCount(p.value), min: arrayMin(p.value), max: arrayMax(p.value), step: arrayStep(p.value) };
}
