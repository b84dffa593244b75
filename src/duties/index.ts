/** The controller's duties, one file each, and which Lambda function (by its serverless.yml name) takes an event. */
import type { DomainEvent } from '../events/index.js';
import { batchDuty, isJobAttemptStop } from './batch.js';
import { capacityDuty } from './capacity.js';
import { lifecycleDuty } from './lifecycle.js';
import { reconcileDuty } from './reconcile.js';
import { scalingDuty } from './scaling.js';
import { rebalanceDuty, spotDuty } from './spot.js';

export { batchDuty, capacityDuty, isJobAttemptStop, lifecycleDuty, rebalanceDuty, reconcileDuty, scalingDuty, spotDuty };

export const DUTIES = { spot: spotDuty, rebalance: rebalanceDuty, lifecycle: lifecycleDuty, capacity: capacityDuty, reconcile: reconcileDuty, batch: batchDuty, scaling: scalingDuty } as const;

/** The Lambda function (by its name in serverless.yml) that EventBridge invokes for an event. */
export function functionFor(event: DomainEvent): keyof typeof DUTIES {
  switch (event.kind) {
    case 'spot-interruption':
    case 'health-scheduled-change':
      return 'spot';
    case 'rebalance-recommendation':
      return 'rebalance';
    case 'terminate-lifecycle-action':
    case 'container-instance-state-change':
    case 'instance-state-change':
      return 'lifecycle';
    case 'task-state-change':
      return isJobAttemptStop(event) ? 'batch' : 'capacity';
    case 'service-action':
    case 'run-task-failure':
      return 'capacity';
    case 'job-schedule':
      return 'batch';
    case 'alarm-state-change':
    case 'service-scaling-schedule':
      return 'scaling';
    case 'scheduled':
      return 'reconcile';
  }
}
