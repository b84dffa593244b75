/**
 * What ECS managed scaling would add in its first step, by its documented rule (docs/capacity.md):
 * the PROVISIONING tasks of the capacity provider (at most 500 per cluster) are grouped by identical
 * resource requirements; for each group ECS computes how many instances of the group's largest
 * instance type a binpack needs; the step is the maximum over groups, clamped to
 * [minimumScalingStepSize, maximumScalingStepSize]. It ignores free capacity elsewhere, instance
 * weights and every group but the largest, which is why a mixed burst takes several steps.
 */
import type { Group, Snapshot } from '../model.js';
import { emptyBin, fitCount } from './bins.js';
import { classify } from './task-classes.js';

/** ECS looks at no more than this many PROVISIONING tasks per cluster. */
export const ECS_MAX_PROVISIONING_TASKS = 500;

export function ecsManagedEstimate(snapshot: Snapshot, group: Group, taskIndexes: readonly number[]): number {
  const considered = taskIndexes.filter((i) => i < ECS_MAX_PROVISIONING_TASKS);
  if (considered.length === 0) return 0;
  const largest = [...group.instanceTypes]
    .map((t) => ({ type: t.type, spec: snapshot.instanceTypes[t.type] }))
    .sort((a, b) => (b.spec?.cpu ?? 0) - (a.spec?.cpu ?? 0) || (b.spec?.memoryMiB ?? 0) - (a.spec?.memoryMiB ?? 0))[0];
  if (!largest?.spec) return 0;
  const s = largest.spec;
  const tasks = considered.map((i) => snapshot.pending[i]).filter((t) => t !== undefined);
  let step = 0;
  for (const cls of classify(tasks)) {
    const perInstance = fitCount(cls, emptyBin('new', '', largest.type, 1, [s.cpu, s.memoryMiB, s.enis, s.gpus]));
    if (perInstance <= 0) continue; // ECS cannot place these at all
    step = Math.max(step, Math.ceil(cls.taskIndexes.length / Math.min(perInstance, cls.taskIndexes.length)));
  }
  if (step === 0) return 0;
  return Math.min(group.maximumScalingStepSize, Math.max(group.minimumScalingStepSize, step));
}
