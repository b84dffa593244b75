import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { awsClients } from '../../src/aws/clients.js';
import { describeTaskDefinition } from '../../src/aws/api-reads.js';

const ARN = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/sync:${rev}`;

describe('Function: describeTaskDefinition (cache by resolved revision)', () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => {
    ecs.reset();
  });
  afterAll(() => ecs.restore());

  it('a family name follows a new registration; a revision is read once', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'sync' }).resolvesOnce({ taskDefinition: { taskDefinitionArn: ARN(1), family: 'sync', revision: 1 } }).resolves({ taskDefinition: { taskDefinitionArn: ARN(2), family: 'sync', revision: 2 } });
    const clients = awsClients();
    expect((await describeTaskDefinition(clients, 'sync'))?.revision).toBe(1);
    expect((await describeTaskDefinition(clients, 'sync'))?.revision).toBe(2);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
    // The revisions it resolved to are cached: no call for them.
    expect((await describeTaskDefinition(clients, ARN(1)))?.revision).toBe(1);
    expect((await describeTaskDefinition(clients, ARN(2)))?.revision).toBe(2);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
  });

  it('family:revision is cached under that reference too', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: ARN(3), family: 'sync', revision: 3 } });
    const clients = awsClients();
    await describeTaskDefinition(clients, 'sync:3');
    await describeTaskDefinition(clients, 'sync:3');
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'sync:3' });
  });
});
