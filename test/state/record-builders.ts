/** Task and container-instance records for the state-store tests: defaults plus overrides. */
import type { InstanceRecord, TaskRecord } from '../../src/state/records.js';

export const ACCOUNT_ARN = 'arn:aws:ecs:us-east-1:123456789012';

export function aTaskRecord(id: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: `${ACCOUNT_ARN}:task/c/${id}`,
    version: 1,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containerInstanceArn: `${ACCOUNT_ARN}:container-instance/c/ci-1`,
    group: 'service:web',
    taskDefinitionArn: `${ACCOUNT_ARN}:task-definition/web:3`,
    cpu: '256',
    memory: '512',
    containers: [{ cpu: '256', memoryReservation: '512', networkBindings: [{ hostPort: 8080 }] }],
    ...overrides,
  };
}

export function anInstanceRecord(id: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    containerInstanceArn: `${ACCOUNT_ARN}:container-instance/c/${id}`,
    ec2InstanceId: `i-${id.padStart(17, '0')}`,
    version: 1,
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredResources: [
      { name: 'CPU', integerValue: 2048 },
      { name: 'MEMORY', integerValue: 7680 },
      { name: 'PORTS', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
    ],
    remainingResources: [
      { name: 'CPU', integerValue: 2048 },
      { name: 'MEMORY', integerValue: 7680 },
    ],
    attributes: [
      { name: 'ecs.instance-type', value: 'm5.large' },
      { name: 'ecs.availability-zone', value: 'us-east-1a' },
    ],
    ...overrides,
  };
}

/** Order-independent view of a state's records, for comparing two answers. */
export function byArn<T extends { taskArn?: string; containerInstanceArn?: string }>(records: T[]): T[] {
  const key = (r: T) => `${r.taskArn ?? ''}|${r.containerInstanceArn ?? ''}`;
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A task as a busy service's task looks in ECS's events (ENI attachment, two containers, a host port). */
export function aServiceTask(cluster: string, i: number): TaskRecord {
  const id = i.toString(16).padStart(32, '0');
  return {
    taskArn: `${ACCOUNT_ARN}:task/${cluster}/${id}`,
    version: 4,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containerInstanceArn: `${ACCOUNT_ARN}:container-instance/${cluster}/${(i % 5000).toString(16).padStart(32, '0')}`,
    group: 'service:web-frontend',
    startedBy: 'ecs-svc/1234567890123456789',
    capacityProviderName: 'cp-general',
    launchType: 'EC2',
    taskDefinitionArn: `${ACCOUNT_ARN}:task-definition/web-frontend:42`,
    cpu: '512',
    memory: '1024',
    attachments: [{ type: 'ElasticNetworkInterface' }],
    containers: [
      { cpu: '256', memoryReservation: '512', networkBindings: [{ hostPort: 32768 + (i % 100) }] },
      { cpu: '256', memory: '512' },
    ],
  };
}

/** A container instance running ten tasks with host ports, as DescribeContainerInstances answers it. */
export function aBusyInstance(cluster: string, i: number): InstanceRecord {
  return {
    containerInstanceArn: `${ACCOUNT_ARN}:container-instance/${cluster}/${i.toString(16).padStart(32, '0')}`,
    ec2InstanceId: `i-${i.toString(16).padStart(17, '0')}`,
    version: 37,
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 10,
    pendingTasksCount: 0,
    registeredResources: [
      { name: 'CPU', integerValue: 4096 },
      { name: 'MEMORY', integerValue: 15576 },
      { name: 'PORTS', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
    ],
    remainingResources: [
      { name: 'CPU', integerValue: 1024 },
      { name: 'MEMORY', integerValue: 5336 },
      { name: 'PORTS', stringSetValue: ['22', '2375', '2376', '51678', '51679', ...Array.from({ length: 10 }, (_, p) => String(32768 + p))] },
    ],
    attributes: [
      { name: 'ecs.instance-type', value: 'm5.xlarge' },
      { name: 'ecs.availability-zone', value: 'us-east-1a' },
    ],
  };
}
