/** The controller's duties, one file each; which function an event reaches is the deployment's (./routes.ts). */
import { batchDuty, isJobAttemptStop } from './batch.js';
import { capacityDuty } from './capacity.js';
import { lifecycleDuty } from './lifecycle.js';
import { reconcileDuty } from './reconcile.js';
import { scalingDuty } from './scaling.js';
import { rebalanceDuty, spotDuty } from './spot.js';

export { batchDuty, capacityDuty, isJobAttemptStop, lifecycleDuty, rebalanceDuty, reconcileDuty, scalingDuty, spotDuty };

export const DUTIES = { spot: spotDuty, rebalance: rebalanceDuty, lifecycle: lifecycleDuty, capacity: capacityDuty, reconcile: reconcileDuty, batch: batchDuty, scaling: scalingDuty } as const;
