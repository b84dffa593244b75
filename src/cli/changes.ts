/** What changed in a cluster between two snapshots, one short line each (for `replay`). */
import type { Snapshot } from '../core/model.js';

/** What an Auto Scaling group's desired capacity counts: instances, or capacity units when its types are weighted. */
export function capacityUnit(group: Snapshot['groups'][number]): string {
  const weights = [...new Set(group.instanceTypes.map((t) => t.weight))].sort((a, b) => a - b);
  if (weights.length === 1 && weights[0] === 1) return 'instances';
  return `capacity units (weights ${weights.length === 1 ? weights[0] : `${weights[0]}–${weights[weights.length - 1]}`})`;
}

export function summarizeChanges(before: Snapshot, after: Snapshot, services: Array<{ name: string; before: number; after: number }> = []): string[] {
  const lines: string[] = [];
  for (const g of after.groups) {
    const b = before.groups.find((x) => x.name === g.name);
    if (b && b.desired !== g.desired) lines.push(`${g.name} (${g.asg}): desired ${b.desired} → ${g.desired} ${capacityUnit(g)}`);
  }
  for (const s of services) if (s.before !== s.after) lines.push(`service ${s.name}: desired ${s.before} → ${s.after} tasks`);
  for (const i of after.instances) {
    const b = before.instances.find((x) => x.id === i.id);
    if (!b) continue;
    const diffs: string[] = [];
    if (b.status !== i.status) diffs.push(`${b.status} → ${i.status}`);
    if (b.lifecycleState !== i.lifecycleState) diffs.push(`${b.lifecycleState ?? '?'} → ${i.lifecycleState ?? '?'}`);
    if (b.protected !== i.protected) diffs.push(i.protected ? 'protected from scale-in' : 'unprotected');
    for (const [k, v] of Object.entries(i.attributes)) if (b.attributes[k] !== v) diffs.push(`${k}=${v}`);
    for (const k of Object.keys(b.attributes)) if (!(k in i.attributes)) diffs.push(`${k} cleared`);
    if (diffs.length > 0) lines.push(`${i.ec2InstanceId} (${i.group}, ${i.type}): ${diffs.join(', ')}`);
  }
  return lines;
}
