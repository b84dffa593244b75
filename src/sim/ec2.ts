/** EC2's commands the controller sends, typed with the SDK's input and output types. */
import type * as EC2 from '@aws-sdk/client-ec2';
import type { Handlers } from './commands.js';
import { describeLaunchTemplateVersions, getInstanceTypesFromInstanceRequirements } from './launch-shapes.js';
import { SimulatedServiceError, type ClusterState } from './state.js';

export function ec2Handlers(state: ClusterState): Handlers<typeof EC2> {
  return {
    DescribeInstanceTypes: (input) => {
      const names = input.InstanceTypes ?? Object.keys(state.snapshot.instanceTypes);
      if (names.length > 100) throw new SimulatedServiceError('InvalidParameterValue', 'InstanceTypes can have at most 100 items');
      return {
        InstanceTypes: names.flatMap((n) => {
          const t = state.snapshot.instanceTypes[n];
          if (!t) return [];
          return [
            {
              InstanceType: n as EC2._InstanceType,
              VCpuInfo: { DefaultVCpus: Math.round(t.cpu / 1024) },
              MemoryInfo: { SizeInMiB: Math.ceil(t.memoryMiB / 0.94) },
              NetworkInfo: { MaximumNetworkInterfaces: t.enis + 1 },
              ...(t.gpus > 0 ? { GpuInfo: { Gpus: [{ Count: t.gpus, Name: 'gpu' }] } } : {}),
            },
          ];
        }),
      };
    },
    DescribeLaunchTemplateVersions: (input) => describeLaunchTemplateVersions(state.snapshot, input),
    GetInstanceTypesFromInstanceRequirements: (input) => getInstanceTypesFromInstanceRequirements(state.snapshot, input),
  };
}
