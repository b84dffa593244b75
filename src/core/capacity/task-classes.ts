/**
 * Waiting tasks grouped into classes of identical requirements. Real workloads come from a few task
 * definitions, so thousands of tasks collapse into a handful of classes that the packer places a
 * bin-full at a time.
 */
import type { Task } from '../model.js';
import { ExpressionError, parseExpression, pinnedAz, type Expr } from './expression.js';

export interface TaskClass {
  key: string;
  /** Indexes into `snapshot.pending`, in pending order. */
  taskIndexes: number[];
  /** cpu, memoryMiB, enis, gpus per task (a plain array: a quarter of a Float64Array's memory). */
  need: readonly number[];
  /** Static host ports (awsvpc tasks bind on their own ENI and use none of the instance's). */
  ports: number[];
  /** Set when the class carries `distinctInstance`: the task group it must not share an instance with. */
  distinctGroup: string | undefined;
  /** The task group a placement of this class records on the instance (only groups someone is distinct on). */
  markGroup: string | undefined;
  expressions: Expr[];
  expressionTexts: string[];
  expressionError: string | undefined;
  /** The AZ its memberOf pins it to, used for instances whose AZ is not known yet. */
  pinAz: string | undefined;
  capacityProvider: string | undefined;
}

export function taskNeed(task: Task): number[] {
  return [task.cpu, task.memoryMiB, task.awsvpc ? 1 : 0, task.gpus];
}

/** Static host ports a task takes on its instance. */
export function instancePorts(task: Task): number[] {
  return task.awsvpc ? [] : [...new Set(task.hostPorts)].sort((a, b) => a - b);
}

// Shared by the many classes with no ports or constraints (never mutated).
const NONE: string[] = [];
const NO_PORTS: number[] = [];
const NO_EXPRESSIONS: Expr[] = [];

/** Groups into classes; `expressionCache` keeps parsed expressions across calls. */
export function classify(pending: readonly Task[], expressionCache = new Map<string, Expr | ExpressionError>()): TaskClass[] {
  // Only groups that some task is distinct on need tracking per instance.
  const distinctGroups = new Set<string>();
  for (const t of pending) {
    if (t.constraints.some((c) => c.type === 'distinctInstance')) distinctGroups.add(t.group ?? '');
  }

  const byKey = new Map<string, TaskClass>();
  pending.forEach((task, index) => {
    const plain = task.constraints.length === 0 && (task.awsvpc || task.hostPorts.length === 0);
    const distinct = !plain && task.constraints.some((c) => c.type === 'distinctInstance');
    const group = task.group ?? '';
    const markGroup = distinctGroups.has(group) ? group : undefined;
    const texts = plain ? NONE : task.constraints.flatMap((c) => (c.type === 'memberOf' ? [c.expression] : [])).sort();
    const ports = plain ? NO_PORTS : instancePorts(task);
    const key = `${task.cpu}|${task.memoryMiB}|${task.awsvpc ? 1 : 0}|${task.gpus}|${ports.join(',')}|${distinct ? 'D' : ''}|${markGroup ?? ''}|${texts.join('\u0000')}|${task.capacityProvider ?? ''}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.taskIndexes.push(index);
      return;
    }
    const expressions: Expr[] = texts.length === 0 ? NO_EXPRESSIONS : [];
    let expressionError: string | undefined;
    for (const text of texts) {
      let parsed = expressionCache.get(text);
      if (!parsed) {
        try {
          parsed = parseExpression(text);
        } catch (e) {
          parsed = e instanceof ExpressionError ? e : new ExpressionError(String(e));
        }
        expressionCache.set(text, parsed);
      }
      if (parsed instanceof ExpressionError) expressionError ??= `memberOf "${text}": ${parsed.message}`;
      else expressions.push(parsed);
    }
    byKey.set(key, {
      key,
      taskIndexes: [index],
      need: taskNeed(task),
      ports,
      distinctGroup: distinct ? group : undefined,
      markGroup,
      expressions,
      expressionTexts: texts,
      expressionError,
      pinAz: expressions.length === 0 ? undefined : expressions.map(pinnedAz).find((az) => az !== undefined),
      capacityProvider: task.capacityProvider,
    });
  });
  return [...byKey.values()];
}
