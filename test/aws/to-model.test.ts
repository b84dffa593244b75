import type { Task as EcsTask, TaskDefinition } from '@aws-sdk/client-ecs';
import { taskShape, toTask } from '../../src/aws/to-model.js';

const WEB: TaskDefinition = {
  family: 'web',
  networkMode: 'bridge',
  containerDefinitions: [
    { name: 'app', cpu: 256, memory: 512, portMappings: [{ containerPort: 8080, hostPort: 80 }, { containerPort: 9000, hostPort: 0 }] },
    { name: 'sidecar', cpu: 128, memoryReservation: 256, resourceRequirements: [{ type: 'GPU', value: '1' }] },
  ],
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == g5.xlarge' }],
};

describe('Function: taskShape (a task from its task definition alone)', () => {
  it('sums the containers when the definition has no task-level size; takes static host ports, GPUs and memberOf', () => {
    // Act
    const shape = taskShape(WEB, { id: 'svc/missing-1', group: 'service:web', capacityProvider: 'gpu' });
    // Assess
    expect(shape).toEqual({ id: 'svc/missing-1', cpu: 384, memoryMiB: 768, gpus: 1, awsvpc: false, hostPorts: [80], group: 'service:web', capacityProvider: 'gpu', constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == g5.xlarge' }], daemon: false });
  });

  it('takes the task-level size when set; host mode binds the container port; awsvpc takes an ENI, no host port', () => {
    const host = taskShape({ cpu: '1024', memory: '2048', networkMode: 'host', containerDefinitions: [{ name: 'app', cpu: 256, portMappings: [{ containerPort: 8080 }] }] }, { id: 'job:a', group: 'family:web' });
    const awsvpc = taskShape({ ...WEB, networkMode: 'awsvpc' }, { id: 'job:b', group: 'family:web' });
    expect(host).toMatchObject({ cpu: 1024, memoryMiB: 2048, hostPorts: [8080] });
    expect(awsvpc).toMatchObject({ awsvpc: true, hostPorts: [] });
    expect(host.capacityProvider).toBeUndefined();
  });

  it('with no definition found: a task that asks for nothing', () => {
    expect(taskShape(undefined, { id: 'x', group: 'family:x' })).toMatchObject({ cpu: 0, memoryMiB: 0, gpus: 0, hostPorts: [], constraints: [] });
  });
});

describe('Function: toTask (a task ECS shows)', () => {
  it('a waiting task reads the same shape as its definition gives', () => {
    const waiting: EcsTask = { taskArn: 'arn:task/1', group: 'service:web', lastStatus: 'PROVISIONING', containers: [{ name: 'app', cpu: '256', memory: '512' }, { name: 'sidecar', cpu: '128', memoryReservation: '256' }] };
    expect(toTask(waiting, WEB, new Set())).toEqual({ ...taskShape(WEB, { id: 'arn:task/1', group: 'service:web' }), lastStatus: 'PROVISIONING' });
  });

  it('a running task: its own size, bound ports and GPU ids, whatever its definition says; a daemon service is marked', () => {
    const running: EcsTask = {
      taskArn: 'arn:task/2',
      group: 'service:logs',
      cpu: '512',
      memory: '1024',
      containers: [{ name: 'app', networkBindings: [{ hostPort: 32768 }], gpuIds: ['0', '1'] }],
    };
    expect(toTask(running, undefined, new Set(['logs']))).toMatchObject({ cpu: 512, memoryMiB: 1024, hostPorts: [32768], gpus: 2, daemon: true, constraints: [] });
  });
});
