/** The planner's output (docs/capacity.md, `ecs-pilot plan --json`). */

export interface NewInstances {
  type: string;
  count: number;
}

export interface GroupPlan {
  name: string;
  asg: string;
  /** The group's desired capacity in the snapshot (capacity units). */
  current: number;
  /** The desired capacity this plan asks for: never below min, never above max. */
  desired: number;
  newInstances: NewInstances[];
  /** Units this plan adds to desired: Σ count × weight of `newInstances`, less what the launching pool covered. */
  newUnits: number;
  /**
   * Fewest new instances the demand placed on new capacity needs: per resource dimension,
   * ceil(demand not covered by launching instances / the largest type's capacity); per host port and
   * distinctInstance task group, one task per instance.
   */
  lowerBound: number;
  /**
   * A lower bound on the cost of the new capacity (price per hour where every type has one, else
   * capacity units): the fluid LP over the group's types for the demand the plan puts in the group,
   * less what running, launching and pool capacity offer (docs/capacity.md).
   */
  lpBound: number;
  /** lpBound / cost of the new instances (1 when nothing new is bought): how close to optimal, at worst. */
  efficiency: number;
  /** New instances ECS managed scaling would add in its first step (documented rule, docs/capacity.md). */
  ecsManagedEstimate: number;
  /** ACTIVE, unprotected instances with no non-daemon task and nothing placed on them by this plan. */
  scaleInCandidates: string[];
  /**
   * A group marked unavailable that launches on-demand instead (`onDemandFallback`): its on-demand
   * base raised by exactly the units desired holds that no listed instance accounts for.
   */
  onDemandBase?: { previous: number; target: number; raisedFrom: number; stalledUnits: number; because: string; at: string; covers: number; forMark: string };
  /** New instances in the order the plan opened them (runs of one type); `applyPlan` keeps that order. */
  launchOrder: NewInstances[];
}

export interface Placement {
  task: string;
  /** An existing instance's id, `launching:<group>:<type>:<n>` or `new:<group>:<type>:<n>`. */
  instance: string;
}

export interface Unplaceable {
  task: string;
  reason: string;
}

export interface CapacityPlan {
  groups: GroupPlan[];
  placements: Placement[];
  unplaceable: Unplaceable[];
  /** The packing that was kept (the planner tries several and keeps the cheapest). */
  ordering: Packing;
}

export const ORDERINGS = ['dot-product', 'dominant', 'l2-norm'] as const;
/**
 * How waiting tasks are sorted before first-fit:
 * - `dot-product`: Σ over dimensions of (demand / capacity) weighted by the total demand in that
 *   dimension, so the scarce dimension dominates (FFD-DotProduct, Panigrahy et al. 2011);
 * - `dominant`: the largest (demand / capacity) share: plain first-fit-decreasing;
 * - `l2-norm`: the Euclidean norm of the demand shares.
 */
export type Ordering = (typeof ORDERINGS)[number];

/**
 * The packings the planner compares: an ordering for first-fit class by class, `ascending` (smallest
 * first, tried when a group's max leaves tasks out: the most tasks fit in capped capacity), or
 * `cross-class` (instance by instance, each filled with the mix of classes that fills it best).
 */
export type Packing = Ordering | 'ascending' | 'cross-class';

export const TYPE_CHOICES = ['group-demand', 'class-demand'] as const;
/**
 * How a new instance's type is chosen: by the cost to finish the group's whole remaining demand with
 * that type (`group-demand`), or only the demand of the tasks being placed (`class-demand`, which
 * gives tasks bound by ENIs or host ports the type cheapest per task).
 */
export type TypeChoice = (typeof TYPE_CHOICES)[number];

export interface PlanOptions {
  /** Orderings to try; the cheapest packing wins (default: all). */
  orderings?: readonly Ordering[];
  /** Type choices to try with each ordering (default: both). */
  typeChoices?: readonly TypeChoice[];
  /** Also try the cross-class packings (default: unless orderings or type choices are given). */
  crossClass?: boolean;
  /** Run the improvement phase on cross-class packings (default: true). */
  improve?: boolean;
}
