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
