/**
 * Domain names used across the controller, defined once: Auto Scaling lifecycle states, the ECS task
 * group of a service, and the reasons ecs-pilot records when it drains an instance itself
 * (`ecs-pilot.drain-reason`; the attribute names are `ATTRIBUTES` in actions.ts).
 */

/** Auto Scaling lifecycle states ecs-pilot acts on (EC2 Auto Scaling instance lifecycle). */
export const LIFECYCLE_STATES = { inService: 'InService', terminatingWait: 'Terminating:Wait' } as const;

/** ECS gives a service's tasks the group `service:<name>`. */
export const SERVICE_GROUP_PREFIX = 'service:';

export function serviceGroup(service: string): string {
  return `${SERVICE_GROUP_PREFIX}${service}`;
}

/** The service a task group belongs to, or undefined for another group (e.g. `family:<name>`). */
export function serviceOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith(SERVICE_GROUP_PREFIX) ? group.slice(SERVICE_GROUP_PREFIX.length) : undefined;
}

/**
 * Why ecs-pilot will drain (or drained) an instance itself. The reason is written before (or with) the
 * drain, never after: a DRAINING instance without one was drained by someone else, and the reconcile
 * loop leaves it to them (docs/controller.md, "Drains ecs-pilot owns").
 */
export const DRAIN_REASONS = { prescale: 'prescale', replace: 'replace', consolidate: 'consolidate', scaleIn: 'scale-in' } as const;

/** Drain reasons of instances ecs-pilot drained itself: once empty it terminates them or sets them ACTIVE again. */
export const SELF_DRAINED: ReadonlySet<string> = new Set(Object.values(DRAIN_REASONS));

/** Drains that wait for new capacity first (a rebalance prescale, a replacement by cheaper instances). */
export const DRAIN_AFTER_NEW_CAPACITY: readonly string[] = [DRAIN_REASONS.prescale, DRAIN_REASONS.replace];
