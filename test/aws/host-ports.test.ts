import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, type ContainerInstance } from '@aws-sdk/client-ecs';
import { awsClients } from '../../src/aws/clients.js';
import { readClusterSnapshot } from '../../src/aws/snapshot-reader.js';
import { GroupConfigSchema } from '../../src/config/schema.js';
import { plan } from '../../src/core/capacity/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { aGroup, anInstance, aSnapshot, aTask } from '../support/builders.js';

const NOW = new Date('2026-11-24T12:00:10Z');
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/test/web00000000000000000000000000001';

function cluster(lastStatus: string) {
  return aSnapshot({
    groups: [aGroup({ desired: 1, max: 1 })],
    instances: [anInstance({ id: 'ci-a', tasks: [aTask({ id: TASK, group: 'family:web', hostPorts: [80], lastStatus })] })],
    // Another task wanting port 80: it must not fit on the same instance.
    pending: [aTask({ id: 'waiting', group: 'family:other', hostPorts: [80] })],
  });
}

function read() {
  const group = GroupConfigSchema.parse({ name: 'general', asg: 'asg-general' });
  return readClusterSnapshot({ clients: awsClients(), cluster: { name: 'test', groups: [group], daemonServices: [] }, now: NOW });
}

describe('Function: host ports of placed tasks', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('a task not RUNNING yet (no networkBindings): its task definition\'s static host ports', async () => {
    aws = mockAws(cluster('PENDING'));
    const snapshot = await read();
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' });
    expect(snapshot.instances[0]?.tasks[0]?.hostPorts).toEqual([80]);
    expect(plan(snapshot).unplaceable).toEqual([expect.objectContaining({ task: 'waiting' })]);
  });

  it('a RUNNING task: its networkBindings, no task definition read', async () => {
    aws = mockAws(cluster('RUNNING'));
    const snapshot = await read();
    // Only the waiting task's definition is read.
    expect(aws.ecs.commandCalls(DescribeTaskDefinitionCommand).map((c) => c.args[0].input.taskDefinition)).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/other:1']);
    expect(snapshot.instances[0]?.tasks[0]?.hostPorts).toEqual([80]);
  });

  it.each([
    ['host mode, hostPort omitted: the container port', 'host', [{ containerPort: 8080 }], [8080]],
    ['bridge mode, hostPort 0: dynamic, no static port', 'bridge', [{ containerPort: 8080, hostPort: 0 }], []],
    ['bridge mode, hostPort omitted: dynamic', 'bridge', [{ containerPort: 8080 }], []],
    ['bridge mode, static hostPort', 'bridge', [{ containerPort: 8080, hostPort: 81 }], [81]],
  ])('%s', async (_name, networkMode, portMappings, expected) => {
    aws = mockAws(cluster('ACTIVATING'));
    aws.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1', networkMode: networkMode as 'host', containerDefinitions: [{ name: 'main', portMappings }] } });
    const snapshot = await read();
    expect(snapshot.instances[0]?.tasks[0]?.hostPorts).toEqual(expected);
  });

  it('ports ECS lists as taken (remainingResources) that no listed task holds stay taken', async () => {
    aws = mockAws(cluster('RUNNING'));
    aws.ecs.on(DescribeContainerInstancesCommand).callsFake(async (input: Record<string, unknown>) => {
      const out = aws.sim.handle('ecs', 'DescribeContainerInstances', input) as { containerInstances: ContainerInstance[] };
      for (const ci of out.containerInstances) ci.remainingResources?.find((r) => r.name === 'PORTS')?.stringSetValue?.push('9000');
      return out;
    });
    const snapshot = await read();
    expect(snapshot.instances[0]?.reservedPorts).toEqual([22, 2375, 2376, 51678, 51679, 9000]);
  });
});
