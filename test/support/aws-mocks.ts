/**
 * aws-sdk-client-mock at the SDK edge, answered by the simulated AWS: tests assert the exact commands
 * and inputs with aws-sdk-client-mock-jest matchers while writes really change the simulated state.
 */
import * as AutoScaling from '@aws-sdk/client-auto-scaling';
import * as CloudWatch from '@aws-sdk/client-cloudwatch';
import * as EC2 from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { parseSnapshot, type Snapshot } from '../../src/core/model.js';
import { SimulatedAws, type Service } from '../../src/sim/simulated-aws.js';
import { loadJson } from './builders.js';

const COMMANDS: Record<Service, Array<[string, unknown]>> = {
  ecs: Object.entries(ECS).filter(([n]) => n.endsWith('Command') && n !== 'Command'),
  autoscaling: Object.entries(AutoScaling).filter(([n]) => n.endsWith('Command') && n !== 'Command'),
  ec2: [
    ['DescribeInstanceTypesCommand', EC2.DescribeInstanceTypesCommand],
    ['DescribeLaunchTemplateVersionsCommand', EC2.DescribeLaunchTemplateVersionsCommand],
    ['GetInstanceTypesFromInstanceRequirementsCommand', EC2.GetInstanceTypesFromInstanceRequirementsCommand],
  ],
  cloudwatch: [['DescribeAlarmsCommand', CloudWatch.DescribeAlarmsCommand]],
};
const USED = new Set([
  'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'DescribeTasks', 'DescribeTaskDefinition', 'DescribeServices', 'ListServices',
  'UpdateContainerInstancesState', 'PutAttributes', 'DeleteAttributes', 'ListAttributes', 'DescribeAutoScalingGroups', 'DescribeAutoScalingInstances', 'DescribeScalingActivities', 'UpdateAutoScalingGroup',
  'SetDesiredCapacity', 'SetInstanceProtection', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat',
  'TerminateInstanceInAutoScalingGroup', 'DescribeInstanceTypes', 'DescribeLaunchTemplateVersions', 'DescribeLaunchConfigurations', 'GetInstanceTypesFromInstanceRequirements', 'DescribePolicies', 'DescribeAlarms', 'DescribeClusters', 'DescribeCapacityProviders', 'RunTask', 'StopTask', 'UpdateService', 'TagResource', 'GetTaskProtection',
]);

export interface MockedAws {
  sim: SimulatedAws;
  ecs: AwsClientStub<ECS.ECSClient>;
  autoscaling: AwsClientStub<AutoScaling.AutoScalingClient>;
  ec2: AwsClientStub<EC2.EC2Client>;
  cloudwatch: AwsClientStub<CloudWatch.CloudWatchClient>;
  /** Names of the write commands sent, in order. */
  writes(): string[];
  restore(): void;
}

const WRITES = new Set(['UpdateService', 'TagResource', 'RunTask', 'StopTask', 'UpdateContainerInstancesState', 'PutAttributes', 'DeleteAttributes', 'SetDesiredCapacity', 'SetInstanceProtection', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat', 'TerminateInstanceInAutoScalingGroup']);

export function demoSnapshot(): Snapshot {
  return parseSnapshot(loadJson('events/clusters/demo.json'));
}

export function mockAws(snapshot: Snapshot = demoSnapshot()): MockedAws {
  const sim = new SimulatedAws(snapshot);
  const stubs = { ecs: mockClient(ECS.ECSClient), autoscaling: mockClient(AutoScaling.AutoScalingClient), ec2: mockClient(EC2.EC2Client), cloudwatch: mockClient(CloudWatch.CloudWatchClient) };
  for (const service of Object.keys(stubs) as Service[]) {
    for (const [name, command] of COMMANDS[service]) {
      const short = name.replace(/Command$/, '');
      if (!USED.has(short)) continue;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (stubs[service] as AwsClientStub<any>).on(command as any).callsFake(async (input: Record<string, unknown>) => sim.handle(service, short, input));
    }
  }
  return {
    sim,
    ...stubs,
    writes: () => sim.log.filter((c) => WRITES.has(c.command)).map((c) => c.command),
    restore: () => {
      stubs.ecs.restore();
      stubs.autoscaling.restore();
      stubs.ec2.restore();
      stubs.cloudwatch.restore();
    },
  };
}
