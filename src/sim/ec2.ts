/** The simulated account's EC2 commands, typed with the SDK's input and output types. */
import type * as EC2 from '@aws-sdk/client-ec2';
import { SimAutoScaling } from './autoscaling.js';
import { SimulatedServiceError, type Answer } from './state.js';

export class SimEc2 extends SimAutoScaling {
  // ---------- EC2 ----------

  protected ec2_DescribeInstanceTypes(input: EC2.DescribeInstanceTypesCommandInput): Answer<EC2.DescribeInstanceTypesCommandOutput> {
    const names = (input.InstanceTypes as string[]) ?? Object.keys(this.snapshot.instanceTypes);
    if (names.length > 100) throw new SimulatedServiceError('InvalidParameterValue', 'InstanceTypes can have at most 100 items');
    return {
      InstanceTypes: names.flatMap((n) => {
        const t = this.snapshot.instanceTypes[n];
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
  }

}
