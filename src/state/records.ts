/**
 * What the store keeps of a task and a container instance: the fields the snapshot reader uses, in the
 * shapes ECS answers with (DescribeTasks / DescribeContainerInstances) — so an event's detail, an API
 * answer and a stored item are one type, and a record can be read wherever an SDK object is.
 * Kept small on purpose: a 50 000-task cluster's records must fit a Lambda's memory.
 */

export interface ResourceRecord {
  name?: string;
  integerValue?: number;
  stringSetValue?: string[];
}

export interface TaskRecord {
  taskArn: string;
  version: number;
  lastStatus: string;
  desiredStatus: string;
  containerInstanceArn?: string;
  group?: string;
  startedBy?: string;
  capacityProviderName?: string;
  launchType?: string;
  taskDefinitionArn?: string;
  cpu?: string;
  memory?: string;
  attachments?: Array<{ type?: string }>;
  containers?: Array<{ cpu?: string; memory?: string; memoryReservation?: string; gpuIds?: string[]; networkBindings?: Array<{ hostPort?: number }> }>;
}

export interface InstanceRecord {
  containerInstanceArn: string;
  ec2InstanceId: string;
  version: number;
  status: string;
  agentConnected?: boolean;
  runningTasksCount?: number;
  pendingTasksCount?: number;
  registeredResources?: ResourceRecord[];
  remainingResources?: ResourceRecord[];
  /** Only those the reader uses: the instance's type and zone, and ecs-pilot's own marks. */
  attributes?: Array<{ name?: string; value?: string }>;
}

// ---------- projections: from an event's detail or an API answer (numbers may come as strings) ----------

type Loose = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const list = (v: unknown): Loose[] => (Array.isArray(v) ? v.filter((x): x is Loose => typeof x === 'object' && x !== null) : []);

/** Sets `key` only when the value is defined (exactOptionalPropertyTypes, and smaller items). */
function put<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) o[key] = value;
}

function resources(v: unknown): ResourceRecord[] | undefined {
  const out = list(v).map((r) => {
    const rec: ResourceRecord = {};
    put(rec, 'name', str(r.name));
    put(rec, 'integerValue', num(r.integerValue));
    if (Array.isArray(r.stringSetValue)) rec.stringSetValue = r.stringSetValue.map(String);
    return rec;
  });
  return out.length > 0 ? out : undefined;
}

const KEPT_ATTRIBUTES = new Set(['ecs.instance-type', 'ecs.availability-zone']);

/** A task from an ECS Task State Change detail or a DescribeTasks task; undefined without ARN or version. */
export function taskRecord(t: Loose): TaskRecord | undefined {
  const taskArn = str(t.taskArn);
  const version = num(t.version);
  if (!taskArn || version === undefined) return undefined;
  const rec: TaskRecord = { taskArn, version, lastStatus: str(t.lastStatus) ?? 'UNKNOWN', desiredStatus: str(t.desiredStatus) ?? 'UNKNOWN' };
  for (const k of ['containerInstanceArn', 'group', 'startedBy', 'capacityProviderName', 'launchType', 'taskDefinitionArn', 'cpu', 'memory'] as const) put(rec, k, str(t[k]));
  const attachments = list(t.attachments).map((a) => ({ ...(str(a.type) ? { type: str(a.type) } : {}) }));
  if (attachments.length > 0) rec.attachments = attachments;
  const containers = list(t.containers).map((c) => {
    const out: NonNullable<TaskRecord['containers']>[number] = {};
    put(out, 'cpu', str(c.cpu));
    put(out, 'memory', str(c.memory));
    put(out, 'memoryReservation', str(c.memoryReservation));
    if (Array.isArray(c.gpuIds) && c.gpuIds.length > 0) out.gpuIds = c.gpuIds.map(String);
    const bindings = list(c.networkBindings).flatMap((b) => (num(b.hostPort) !== undefined ? [{ hostPort: num(b.hostPort) }] : []));
    if (bindings.length > 0) out.networkBindings = bindings;
    return out;
  });
  if (containers.length > 0) rec.containers = containers;
  return rec;
}

/** A container instance from an ECS Container Instance State Change detail or a DescribeContainerInstances answer. */
export function instanceRecord(ci: Loose): InstanceRecord | undefined {
  const containerInstanceArn = str(ci.containerInstanceArn);
  const ec2InstanceId = str(ci.ec2InstanceId);
  const version = num(ci.version);
  if (!containerInstanceArn || !ec2InstanceId || version === undefined) return undefined;
  const rec: InstanceRecord = { containerInstanceArn, ec2InstanceId, version, status: str(ci.status) ?? 'UNKNOWN' };
  if (typeof ci.agentConnected === 'boolean') rec.agentConnected = ci.agentConnected;
  put(rec, 'runningTasksCount', num(ci.runningTasksCount));
  put(rec, 'pendingTasksCount', num(ci.pendingTasksCount));
  put(rec, 'registeredResources', resources(ci.registeredResources));
  put(rec, 'remainingResources', resources(ci.remainingResources));
  const attributes = list(ci.attributes)
    .filter((a) => typeof a.name === 'string' && (KEPT_ATTRIBUTES.has(a.name) || a.name.startsWith('ecs-pilot.')))
    .map((a) => ({ name: str(a.name), ...(str(a.value) !== undefined ? { value: str(a.value) } : {}) }));
  if (attributes.length > 0) rec.attributes = attributes;
  return rec;
}

/** A task that no longer takes room: stopped (its record stays a while as a tombstone against late events). */
export const isStoppedTask = (t: Pick<TaskRecord, 'lastStatus'>): boolean => t.lastStatus === 'STOPPED' || t.lastStatus === 'DELETED';
/** An instance that left the cluster (deregistered: ListContainerInstances no longer lists it). */
export const isGoneInstance = (i: Pick<InstanceRecord, 'status'>): boolean => i.status === 'INACTIVE';
