/**
 * An independent checker of a plan against its snapshot: recomputes every instance's load from the
 * placements and returns the broken rules (an empty list when the plan is sound).
 */
import type { CapacityPlan } from '../../src/core/capacity/index.js';
import { evaluate, parseExpression } from '../../src/core/capacity/expression.js';
import { DEFAULT_RESERVED_PORTS, instanceCapacity, weightOf, type Snapshot, type Task } from '../../src/core/model.js';

interface Load {
  type: string;
  az: string | undefined;
  cap: number[];
  used: number[];
  ports: Set<number>;
  groups: Array<{ group: string; distinct: boolean }>;
  group: string;
}

const need = (t: Task) => [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus];

export function verifyPlan(s: Snapshot, p: CapacityPlan): string[] {
  const problems: string[] = [];
  const loads = new Map<string, Load>();
  for (const inst of s.instances) {
    const c = instanceCapacity(s, inst);
    const l: Load = { type: inst.type, az: inst.az, cap: [c.cpu, c.memoryMiB, c.enis, c.gpus], used: [0, 0, 0, 0], ports: new Set(inst.reservedPorts), groups: [], group: inst.group };
    for (const t of inst.tasks) {
      need(t).forEach((v, d) => { l.used[d] = (l.used[d] ?? 0) + v; });
      if (!t.awsvpc) for (const port of t.hostPorts) l.ports.add(port);
      l.groups.push({ group: t.group ?? '', distinct: t.constraints.some((c) => c.type === 'distinctInstance') });
    }
    loads.set(inst.id, l);
  }
  const status = new Map(s.instances.map((i) => [i.id, i.status]));
  const seen = new Set<string>();
  const byId = new Map(s.pending.map((t) => [t.id, t]));

  for (const { task: id, instance } of p.placements) {
    const t = byId.get(id);
    if (!t) {
      problems.push(`placement of unknown task ${id}`);
      continue;
    }
    if (seen.has(id)) problems.push(`task ${id} listed twice`);
    seen.add(id);
    let l = loads.get(instance);
    if (!l) {
      const [kind, group, type] = instance.split(':');
      const spec = type ? s.instanceTypes[type] : undefined;
      if ((kind !== 'new' && kind !== 'launching') || !spec || !group) {
        problems.push(`task ${id} on unknown instance ${instance}`);
        continue;
      }
      l = { type: type!, az: undefined, cap: [spec.cpu, spec.memoryMiB, spec.enis, spec.gpus], used: [0, 0, 0, 0], ports: new Set(DEFAULT_RESERVED_PORTS), groups: [], group };
      loads.set(instance, l);
    } else if (status.has(instance) && status.get(instance) !== 'ACTIVE') {
      problems.push(`task ${id} placed on ${status.get(instance)} instance ${instance}`);
    }
    if (t.capacityProvider !== undefined && t.capacityProvider !== l.group) problems.push(`task ${id} of ${t.capacityProvider} placed in group ${l.group}`);
    need(t).forEach((v, d) => { l!.used[d] = (l!.used[d] ?? 0) + v; });
    if (!t.awsvpc) {
      for (const port of new Set(t.hostPorts)) {
        if (l.ports.has(port)) problems.push(`host port ${port} of ${id} collides on ${instance}`);
        l.ports.add(port);
      }
    }
    const distinct = t.constraints.some((c) => c.type === 'distinctInstance');
    if (l.groups.some((g) => g.group === (t.group ?? '') && (distinct || g.distinct))) {
      problems.push(`distinctInstance broken: ${id} shares ${instance} with group ${t.group}`);
    }
    l.groups.push({ group: t.group ?? '', distinct });
    for (const c of t.constraints) {
      if (c.type === 'memberOf' && !evaluate(parseExpression(c.expression), { type: l.type, az: l.az })) {
        problems.push(`memberOf "${c.expression}" broken by ${id} on ${instance} (${l.type})`);
      }
    }
  }
  for (const [id, l] of loads) {
    l.used.forEach((u, d) => {
      // Existing overcommitted instances are the snapshot's business; placements must not add to them.
      if (u > (l.cap[d] ?? 0) && p.placements.some((x) => x.instance === id)) problems.push(`${id} exceeds dimension ${d}: ${u} > ${l.cap[d]}`);
    });
  }
  for (const u of p.unplaceable) {
    if (seen.has(u.task)) problems.push(`task ${u.task} both placed and unplaceable`);
    seen.add(u.task);
    if (!u.reason) problems.push(`task ${u.task} unplaceable without a reason`);
  }
  for (const t of s.pending) if (!seen.has(t.id)) problems.push(`task ${t.id} neither placed nor reported`);

  for (const gp of p.groups) {
    const g = s.groups.find((x) => x.name === gp.name)!;
    if (gp.desired < g.min || gp.desired > g.max) problems.push(`group ${g.name} desired ${gp.desired} outside [${g.min}, ${g.max}]`);
    const newLabels = new Set(p.placements.filter((x) => x.instance.startsWith(`new:${g.name}:`)).map((x) => x.instance));
    const count = gp.newInstances.reduce((a, n) => a + n.count, 0);
    if (count !== newLabels.size) problems.push(`group ${g.name}: ${count} new instances but ${newLabels.size} used`);
    const units = gp.newInstances.reduce((a, n) => a + n.count * weightOf(g, n.type), 0);
    // A new instance may be partly covered by units already launching (the pool): never more than its weight.
    if (gp.newUnits > units || (count > 0 && gp.newUnits <= units - count * Math.max(...g.instanceTypes.map((t) => t.weight)))) {
      problems.push(`group ${g.name}: newUnits ${gp.newUnits} does not match ${count} new instance(s) of ${units} units`);
    }
    const needed = g.desired + gp.newUnits;
    if (gp.desired < Math.min(g.max, needed)) problems.push(`group ${g.name}: desired ${gp.desired} below the ${needed} units its new instances need`);
    if (count < gp.lowerBound) problems.push(`group ${g.name}: ${count} new instances below lowerBound ${gp.lowerBound}`);
    // lpBound is in price per hour when every type of every group has one, else in capacity units.
    const usePrices = s.groups.every((x) => x.instanceTypes.every((t) => (t.pricePerHour ?? s.instanceTypes[t.type]?.pricePerHour) !== undefined));
    const newCost = gp.newInstances.reduce((a, n) => {
      const gt = g.instanceTypes.find((t) => t.type === n.type);
      return a + n.count * (usePrices ? (gt?.pricePerHour ?? s.instanceTypes[n.type]?.pricePerHour ?? 0) : (gt?.weight ?? 1));
    }, 0);
    if (gp.lpBound > newCost + 1e-6) problems.push(`group ${g.name}: lpBound ${gp.lpBound} above the cost of its new instances ${newCost}`);
    if (!(gp.efficiency >= 0 && gp.efficiency <= 1)) problems.push(`group ${g.name}: efficiency ${gp.efficiency} outside [0, 1]`);
  }
  return problems;
}
