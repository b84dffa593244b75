export { plan } from './planner.js';
export { applyPlan } from './apply.js';
export { ecsManagedEstimate, ECS_MAX_PROVISIONING_TASKS } from './ecs-managed.js';
export { parseExpression, evaluate, ExpressionError } from './expression.js';
export type { CapacityPlan, GroupPlan, Placement, Unplaceable, NewInstances, PlanOptions, Ordering, TypeChoice } from './types.js';
export { ORDERINGS, TYPE_CHOICES } from './types.js';
