/** The instance types the capacity benchmarks plan with (us-east-1 on-demand prices). */
export const GENERAL_TYPES = {
  'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0, pricePerHour: 0.096 },
  'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 },
  'm5.2xlarge': { cpu: 8192, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.384 },
  'm5.4xlarge': { cpu: 16384, memoryMiB: 63200, enis: 7, gpus: 0, pricePerHour: 0.768 },
  'c5.2xlarge': { cpu: 8192, memoryMiB: 15000, enis: 3, gpus: 0, pricePerHour: 0.34 },
  'r5.2xlarge': { cpu: 8192, memoryMiB: 63200, enis: 3, gpus: 0, pricePerHour: 0.504 },
} as const;

export const BENCH_TYPES = {
  ...GENERAL_TYPES,
  'g4dn.xlarge': { cpu: 4096, memoryMiB: 15578, enis: 2, gpus: 1, pricePerHour: 0.526 },
  'g4dn.12xlarge': { cpu: 49152, memoryMiB: 189000, enis: 7, gpus: 4, pricePerHour: 3.912 },
} as const;
