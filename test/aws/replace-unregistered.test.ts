/** replaceUnregisteredInstance: exact calls — re-read the group and ECS, then terminate with desired kept. */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { execute } from '../../src/aws/actuator.js';
import { awsClients } from '../../src/aws/clients.js';
import type { Action } from '../../src/core/actions.js';

const asgMock = mockClient(AutoScalingClient);
const ecsMock = mockClient(ECSClient);
const action: Action = { kind: 'replaceUnregisteredInstance', asg: 'asg-spot', group: 'spot', instanceId: 'i-0000000a', cluster: 'demo', launchedAt: '2026-11-24T11:40:00Z', reason: 'test' };

describe('Function: execute (replaceUnregisteredInstance)', () => {
  afterEach(() => {
    asgMock.reset();
    ecsMock.reset();
  });

  it('terminates the instance without decrementing desired once it is still InService and still not in ECS', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'asg-spot', Instances: [{ InstanceId: 'i-0000000a', LifecycleState: 'InService' }] } as never] });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    asgMock.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    // Act
    const report = await execute(awsClients(), [action], { dryRun: false });
    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'demo', filter: 'ec2InstanceId == i-0000000a' });
    expect(asgMock).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0000000a', ShouldDecrementDesiredCapacity: false });
    expect(report.failures).toEqual([]);
  });

  it('leaves an instance that registered since the decision', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'asg-spot', Instances: [{ InstanceId: 'i-0000000a', LifecycleState: 'InService' }] } as never] });
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['arn:aws:ecs:us-east-1:123456789012:container-instance/demo/abc'] });
    // Act
    const report = await execute(awsClients(), [action], { dryRun: false });
    // Assess
    expect(asgMock).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
    expect(report.skipped).toEqual([{ action: 'replaceUnregisteredInstance', items: ['i-0000000a'], reason: 'it registered with ECS since the decision' }]);
  });
});
