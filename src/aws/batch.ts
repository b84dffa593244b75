/** Splits a list into API-sized batches (Describe* 100, UpdateContainerInstancesState 10, …). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const API_LIMITS = {
  describe: 100,
  updateContainerInstancesState: 10,
  setInstanceProtection: 50,
  putAttributes: 10,
  describeAutoScalingInstances: 50,
} as const;
