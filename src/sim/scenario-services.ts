/** A scenario's services and its bursts, shared by the world, the run's chart markers and bench:scaling. */
import type { Snapshot } from '../core/model.js';
import type { Scenario, ServiceSpec } from './scenario.js';

/** The services a scenario runs: its own list, or those the cluster's tasks show. */
export function scenarioServices(scenario: Pick<Scenario, 'services'>, snapshot: Snapshot): ServiceSpec[] {
  return scenario.services.length > 0 ? scenario.services : inferServices(snapshot);
}

/** A burst: a service's desired count raised by this many tasks or more in one step. */
export const BURST_TASKS = 20;

/** The scenario's bursts, in time order: each step that raises a service by BURST_TASKS or more. */
export function burstSteps(scenario: Pick<Scenario, 'services' | 'timeline'>, snapshot: Snapshot): Array<{ at: number; service: string; from: number; to: number }> {
  const desired = new Map(scenarioServices(scenario, snapshot).map((s) => [s.name, s.desired]));
  const out: Array<{ at: number; service: string; from: number; to: number }> = [];
  for (const step of [...scenario.timeline].sort((a, b) => a.at - b.at)) {
    if (!('setDesired' in step)) continue;
    const from = desired.get(step.setDesired.service) ?? 0;
    desired.set(step.setDesired.service, step.setDesired.count);
    if (step.setDesired.count - from >= BURST_TASKS) out.push({ at: step.at, service: step.setDesired.service, from, to: step.setDesired.count });
  }
  return out;
}

/** Services of a snapshot: task groups `service:<name>` (daemons aside), desired = their tasks, shape of the first. */
export function inferServices(snapshot: Snapshot): ServiceSpec[] {
  const byName = new Map<string, ServiceSpec>();
  for (const t of [...snapshot.instances.flatMap((i) => i.tasks.map((x) => ({ ...x, capacityProvider: x.capacityProvider ?? i.group }))), ...snapshot.pending]) {
    if (!t.group?.startsWith('service:') || t.daemon) continue;
    const name = t.group.slice('service:'.length);
    const s = byName.get(name);
    if (s) s.desired += 1;
    else {
      byName.set(name, {
        name,
        desired: 1,
        cpu: t.cpu,
        memoryMiB: t.memoryMiB,
        gpus: t.gpus,
        awsvpc: t.awsvpc,
        hostPorts: t.hostPorts,
        ...(t.capacityProvider ? { capacityProvider: t.capacityProvider } : {}),
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        distinctInstance: t.constraints.some((c) => c.type === 'distinctInstance'),
        placementStrategy: 'binpack',
      });
    }
  }
  return [...byName.values()];
}
