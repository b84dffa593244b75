/**
 * ECS's placement rules, shared by RunTask (placed at once, or not) and the service scheduler of the
 * time-driven world (it places waiting tasks each tick): what an instance has left, whether a task
 * fits, and binpack's choice (the least memory left after the task).
 */
import { evaluate, parseExpression, type Expr } from '../core/capacity/expression.js';
import type { Task } from '../core/model.js';
import { take, type ClusterState, type InstanceUsage, type SimInstance } from './state.js';

export class Placement {
  private readonly expressions = new Map<string, Expr | null>();

  public constructor(private readonly state: ClusterState) {}

  /** Instances that take new tasks: ACTIVE and in service. */
  public activeInstances(): SimInstance[] {
    return [...this.state.instances.values()].filter((i) => i.status === 'ACTIVE' && i.lifecycleState === 'InService');
  }

  /** What runs on each of these instances now. */
  public usageOf(instances: SimInstance[]): Map<string, InstanceUsage> {
    const usage = new Map<string, InstanceUsage>(instances.map((i) => [i.arn, { cpu: 0, mem: 0, eni: 0, gpu: 0, ports: new Set(i.reservedPorts), groups: new Set<string>() }]));
    for (const t of this.state.tasks.values()) {
      const u = t.containerInstanceArn ? usage.get(t.containerInstanceArn) : undefined;
      if (u && t.lastStatus !== 'STOPPED') take(u, t);
    }
    return usage;
  }

  /**
   * Whether ECS may place the task on the instance (CPU, memory, GPUs, an ENI for awsvpc, free static
   * host ports, distinctInstance, memberOf): the memory left after it (binpack's measure), or undefined.
   */
  public fitsOn(t: Task, i: SimInstance, u: InstanceUsage): number | undefined {
    const freeMem = i.registered.memoryMiB - u.mem - t.memoryMiB;
    if (i.registered.cpu - u.cpu < t.cpu || freeMem < 0 || i.registered.gpus - u.gpu < t.gpus) return undefined;
    if (t.awsvpc && i.registered.enis - u.eni < 1) return undefined;
    if (!t.awsvpc && t.hostPorts.some((p) => u.ports.has(p))) return undefined;
    if (t.constraints.some((c) => c.type === 'distinctInstance') && t.group && u.groups.has(t.group)) return undefined;
    for (const c of t.constraints) {
      if (c.type !== 'memberOf') continue;
      const e = this.expression(c.expression);
      if (!e || !evaluate(e, { type: i.type, az: i.az })) return undefined;
    }
    return freeMem;
  }

  /** RunTask's placement: binpack (least memory left) on ACTIVE instances of the provider's group; null when it has none. */
  public roomFor(t: Task, provider: string | undefined): SimInstance | undefined | null {
    const candidates = this.activeInstances().filter((i) => provider === undefined || i.group === provider);
    if (candidates.length === 0) return null;
    const usage = this.usageOf(candidates);
    let best: { i: SimInstance; free: number } | undefined;
    for (const i of candidates) {
      const u = usage.get(i.arn);
      const free = u ? this.fitsOn(t, i, u) : undefined;
      if (free !== undefined && (!best || free < best.free)) best = { i, free };
    }
    return best?.i;
  }

  /** A memberOf expression, parsed once; null when it does not parse (the task then fits nowhere). */
  private expression(source: string): Expr | null {
    if (!this.expressions.has(source)) {
      try {
        this.expressions.set(source, parseExpression(source));
      } catch {
        this.expressions.set(source, null);
      }
    }
    return this.expressions.get(source) ?? null;
  }
}
