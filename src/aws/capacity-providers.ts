/**
 * Mode detection (docs/controller.md, "Two modes"): DescribeCapacityProviders for the configured
 * groups' providers — managed scaling (status, targetCapacity, step sizes, warm-up), managed
 * termination protection, managed draining. Cached per warm container and read again once the
 * reconcile schedule's minute has passed, so a change of mode is seen within a minute.
 */
import { DescribeCapacityProvidersCommand } from '@aws-sdk/client-ecs';
import type { ProviderSettings } from '../core/capacity/modes.js';
import { chunks } from './batch.js';
import type { Clients } from './clients.js';
import { PROVIDER_CACHE_MS } from './warm-caches.js';

/** DescribeCapacityProviders takes at most 100 names a call (paginated beyond). */
export const DESCRIBE_CAPACITY_PROVIDERS_MAX = 100;

/** The providers by name; a name ECS does not know maps to undefined (treated as `own`). */
export async function readProviders(clients: Clients, names: readonly string[], now: Date): Promise<Map<string, ProviderSettings | undefined>> {
  const cache = clients.caches.providers;
  const stale = [...new Set(names)].filter((n) => {
    const hit = cache.get(n);
    return !hit || now.getTime() - hit.at >= PROVIDER_CACHE_MS || now.getTime() < hit.at;
  });
  for (const batch of chunks(stale, DESCRIBE_CAPACITY_PROVIDERS_MAX)) {
    const found = new Map<string, ProviderSettings>();
    let token: string | undefined;
    do {
      const page = await clients.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: batch, nextToken: token }));
      for (const p of page?.capacityProviders ?? []) {
        if (!p.name) continue;
        const asg = p.autoScalingGroupProvider;
        found.set(p.name, {
          name: p.name,
          managedScaling: asg?.managedScaling
            ? {
                status: asg.managedScaling.status,
                targetCapacity: asg.managedScaling.targetCapacity,
                minimumScalingStepSize: asg.managedScaling.minimumScalingStepSize,
                maximumScalingStepSize: asg.managedScaling.maximumScalingStepSize,
                instanceWarmupPeriod: asg.managedScaling.instanceWarmupPeriod,
              }
            : undefined,
          managedTerminationProtection: asg?.managedTerminationProtection,
          managedDraining: asg?.managedDraining,
        });
      }
      token = page?.nextToken;
    } while (token);
    for (const n of batch) cache.set(n, { at: now.getTime(), settings: found.get(n) });
  }
  return new Map(names.map((n) => [n, cache.get(n)?.settings]));
}
