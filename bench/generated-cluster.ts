/**
 * The large generated clusters of bench:api and bench:scale: two groups (spot m5.large/m5.xlarge,
 * on-demand m5.xlarge), a quarter of the instances on-demand, every instance protected and running
 * `tasksPerInstance` small service tasks.
 */
import { parseSnapshot, type Snapshot } from '../src/core/model.js';

export const GENERATED_TYPES = { 'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0 }, 'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0 } };

export interface GeneratedCluster {
  name: string;
  instances: number;
  tasksPerInstance: number;
  /** The two ASGs' names. */
  asgs: { spot: string; od: string };
  taskCpu: number;
  takenAt: string;
  /** Tasks waiting for capacity (PROVISIONING), in the spot group. */
  pending?: number;
}

export function generatedCluster(c: GeneratedCluster): Snapshot {
  const groups = [
    { name: 'spot', asg: c.asgs.spot, lifecycle: 'spot', min: 0, max: c.instances * 2, desired: 0, instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }] },
    { name: 'od', asg: c.asgs.od, min: 0, max: c.instances * 2, desired: 0, instanceTypes: [{ type: 'm5.xlarge', weight: 2 }] },
  ];
  const list = Array.from({ length: c.instances }, (_, i) => {
    const group = i % 4 === 0 ? 'od' : 'spot';
    const type = group === 'od' || i % 2 === 0 ? 'm5.xlarge' : 'm5.large';
    const g = groups.find((x) => x.name === group)!;
    g.desired += type === 'm5.xlarge' ? 2 : 1;
    return {
      id: `arn:aws:ecs:us-east-1:123456789012:container-instance/${c.name}/${i.toString(16).padStart(32, '0')}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, '0')}`,
      group,
      type,
      az: `us-east-1${'abc'[i % 3]}`,
      status: 'ACTIVE',
      protected: true,
      tasks: Array.from({ length: c.tasksPerInstance }, (_, k) => ({ id: `arn:aws:ecs:us-east-1:123456789012:task/${c.name}/${i}-${k}`, cpu: c.taskCpu, memoryMiB: 512, group: `service:svc${k}`, startedBy: 'ecs-svc/1', capacityProvider: group })),
    };
  });
  const pending = Array.from({ length: c.pending ?? 0 }, (_, k) => ({ id: `arn:aws:ecs:us-east-1:123456789012:task/${c.name}/new-${k}`, cpu: c.taskCpu, memoryMiB: 512, group: 'service:svc0', capacityProvider: 'spot' }));
  return parseSnapshot({ version: 1, cluster: c.name, takenAt: c.takenAt, instanceTypes: GENERATED_TYPES, groups, instances: list, pending });
}
