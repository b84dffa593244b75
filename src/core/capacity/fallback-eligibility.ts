/**
 * Which tasks may move to another group when theirs cannot launch (docs/capacity-shortage.md). ECS
 * places a task only on the instances of the providers its capacity provider strategy names; a task
 * started with launch type EC2 names none and may land on any instance of the cluster. ecs-pilot's own
 * job attempts name their provider per RunTask call, so the batch duty starts them on the next one.
 * A task pinned to a provider cannot use another group's instances, whatever ecs-pilot launches there.
 */
import { isJobAttempt } from '../batch/jobs.js';
import type { Task } from '../model.js';

/** The task, as ECS shows it (its own `capacityProvider`), may run on another group's instances. */
export function mayRunOnFallback(task: Task): boolean {
  return task.capacityProvider === undefined || isJobAttempt(task.startedBy);
}
