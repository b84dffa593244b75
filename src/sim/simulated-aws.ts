/**
 * A simulated AWS account over a cluster snapshot: answers the ECS, Auto Scaling and EC2 commands the
 * controller sends (`send(command)`), with their documented batch limits and errors, and keeps the
 * state their writes change (drain, desired capacity, protection, lifecycle hooks, attributes).
 * The real `src/aws/` code runs against it unchanged. It does not move time: no task starts or
 * stops by itself here.
 */
import { SimEc2 } from './ec2.js';

export { SimulatedServiceError, take, type Answer, type InstanceUsage, type Service, type SimInstance, type SimTask, type SimulatedAwsOptions } from './state.js';

/** The simulated account: the state (state.ts) with the ECS, Auto Scaling and EC2 commands (ecs.ts, autoscaling.ts, ec2.ts). */
export class SimulatedAws extends SimEc2 {}
