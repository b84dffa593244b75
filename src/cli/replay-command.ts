/**
 * `ecs-pilot replay <event.json|dir>...`: runs the real controller loop for each recorded event against
 * the simulated cluster (default: the bundled demo snapshot), or read-only against a real account with
 * `--aws` (writes only with `--apply`), and shows what it decided and sent.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients, withColdCaches, type Clients, type SdkClients } from '../aws/clients.js';
import { configForSnapshot, loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { ActuationError, runDuty, type AnyDuty, type DecisionRecord } from '../controller.js';
import { describeAction } from '../core/actions.js';
import { toSnapshotV1, ValidationError, type Snapshot } from '../core/model.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { DUTIES } from '../duties/index.js';
import { deployedRouter } from '../duties/routes.js';
import { EventValidationError, parseEvent } from '../events/index.js';
import { SimulatedAws } from '../sim/simulated-aws.js';
import { CliError, EXIT } from './errors.js';
import { loadSnapshot, readJsonFile } from './io.js';
import { summarizeChanges } from './changes.js';
import { unwrapDlq } from './dlq.js';
import { AwsCommandError, configContext, contextNotes, inContext } from './aws-context.js';

export const DEMO_SNAPSHOT = 'events/clusters/demo.json';

export interface ReplayOptions {
  cluster?: string;
  config: string;
  configGiven: boolean;
  json?: boolean;
  aws?: boolean;
  apply?: boolean;
  region?: string;
  /**
   * The time the duties decide at: `now` (the clock, as the Lambda decides), `event` (each event's own
   * time) or an ISO 8601 time. Default: the clock with --aws, the event's time on the simulated cluster
   * (whose snapshot is of that time).
   */
  at?: string;
}

export interface ReplayedCall {
  service: string;
  command: string;
  input: Record<string, unknown>;
  /** False for writes a dry run only describes. */
  sent: boolean;
}

export interface ReplayedEvent {
  file: string;
  id: string | undefined;
  detailType: string | undefined;
  handler: string;
  outcome: DecisionRecord['outcome'];
  reason?: string;
  actions: Array<{ kind: string; reason: string; description: string }>;
  calls: ReplayedCall[];
  changes: string[];
  /** The writes that failed, with AWS's reason (e.g. RunTask's RESOURCE:MEMORY). */
  failures: Array<{ action: string; items: string[]; error: string }>;
  /** The DLQ message the event came out of, and why it failed then. */
  from?: string;
}

/**
 * Expands files and directories (their `*.json`, sorted) into events; a file may hold an array, and
 * DLQ messages are unwrapped to the event they carry (src/cli/dlq.ts). A directory without events is an error.
 */
export function collectEvents(paths: string[]): Array<{ file: string; event: unknown; from?: string }> {
  const out: Array<{ file: string; event: unknown; from?: string }> = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new CliError(`no such file or directory: ${path}`, EXIT.rejected);
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
    if (files.length === 0) throw new CliError(`${path} holds no event files (*.json)`, EXIT.rejected);
    for (const file of files) {
      const doc = readJsonFile(file, 'event file');
      const found = (Array.isArray(doc) ? doc : [doc]).flatMap((item) => unwrapDlq(item, file));
      if (found.length === 0) throw new CliError(`${file} holds no event (an empty array, or a receive-message with no Messages)`, EXIT.rejected);
      for (const u of found) out.push({ file, ...u });
    }
  }
  return out;
}

function loadConfig(options: ReplayOptions, snapshot: Snapshot | undefined): { config: ControllerConfig; note?: string } {
  if (existsSync(options.config)) {
    try {
      const config = loadConfigFile(options.config);
      if (!snapshot || config.clusters.some((c) => c.name === snapshot.cluster)) return { config };
      return { config: { ...configForSnapshot(snapshot), dryRun: config.dryRun }, note: `${options.config} has no cluster "${snapshot.cluster}": using its groups with default settings` };
    } catch (e) {
      if (e instanceof ValidationError) throw new CliError(`${options.config}: ${e.message}`, EXIT.rejected, { cause: e });
      throw e;
    }
  }
  if (options.configGiven) throw new CliError(`cannot read config ${options.config}: no such file`, EXIT.rejected);
  if (!snapshot) throw new CliError(`--aws needs a config naming the cluster and its groups (${options.config} not found)`, EXIT.rejected);
  return { config: configForSnapshot(snapshot), note: `no ${options.config}: using the snapshot's groups with default settings` };
}

const READ_ONLY = /^(Describe|List|Get)/;

/** Wraps clients so every command is logged, and writes are refused unless allowed; `beforeSend` sees each one first. */
function recording(clients: Clients, log: ReplayedCall[], allowWrites: boolean, beforeSend: (command: string, input: Record<string, unknown>) => void = () => {}): Clients {
  const wrap = (service: keyof SdkClients) => ({
    send: async (command: { input: object; constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      if (!allowWrites && !READ_ONLY.test(name)) throw new CliError(`refusing to send ${service}:${name} without --apply`, EXIT.rejected);
      beforeSend(name, command.input as Record<string, unknown>);
      log.push({ service, command: name, input: command.input as Record<string, unknown>, sent: true });
      return (clients[service] as { send: (c: unknown) => Promise<unknown> }).send(command);
    },
  });
  return { ecs: wrap('ecs'), autoscaling: wrap('autoscaling'), ec2: wrap('ec2'), cloudwatch: wrap('cloudwatch'), caches: clients.caches } as unknown as Clients;
}

function eventIdOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** `ThrottlingException: Rate exceeded` — the AWS error code and message, without a stack. */
function awsError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
}

/** What `--at` names: the clock, each event's own time, or one fixed time. */
export type DecisionClock = { kind: 'now' } | { kind: 'event' } | { kind: 'fixed'; at: Date };

/** `--at` as given (or its default for the mode): refused when it is neither `now`, `event` nor a time. */
export function decisionClock(at: string | undefined, aws: boolean): DecisionClock {
  if (at === undefined) return aws ? { kind: 'now' } : { kind: 'event' };
  if (at === 'now' || at === 'event') return { kind: at };
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(at) ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(ms)) throw new CliError(`--at ${at}: expected now, event or an ISO 8601 time (2026-11-24T12:04:00Z)`, EXIT.usage);
  return { kind: 'fixed', at: new Date(ms) };
}

/** The note that says which time the decisions were taken at. */
function clockNote(clock: DecisionClock, now: Date): string {
  if (clock.kind === 'now') return `deciding at the clock (${now.toISOString()}), as the Lambda does; --at event|<time> decides at another time`;
  if (clock.kind === 'event') return "deciding at each event's own time (--at event); --at now decides at the clock, as the Lambda does";
  return `deciding at ${clock.at.toISOString()} (--at); --at now decides at the clock, as the Lambda does`;
}

function eventTime(raw: unknown, fallback: Date): Date {
  const t = typeof raw === 'object' && raw !== null ? (raw as { time?: unknown }).time : undefined;
  const ms = typeof t === 'string' ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? fallback : new Date(ms);
}

/** The state a real account is in when it emits the event: the ASG waits on its hook; a stopped task is stopped. */
function implyState(sim: SimulatedAws, raw: unknown): void {
  try {
    const parsed = parseEvent(raw);
    if (parsed.outcome !== 'parsed') return;
    const e = parsed.event;
    if (e.kind === 'terminate-lifecycle-action') {
      const i = sim.instance(e.instanceId);
      if (i && i.lifecycleState === LIFECYCLE_STATES.inService) sim.setLifecycleState(e.instanceId, LIFECYCLE_STATES.terminatingWait);
    }
    if (e.kind === 'task-state-change' && e.lastStatus === 'STOPPED' && sim.task(e.taskArn)?.lastStatus !== 'STOPPED' && sim.task(e.taskArn)) {
      const exitCode = e.containers.find((c) => c.exitCode !== undefined)?.exitCode;
      sim.setTaskStatus(e.taskArn, 'STOPPED', 'STOPPED', { stopCode: e.stopCode ?? 'EssentialContainerExited', reason: e.stoppedReason ?? '', ...(exitCode !== undefined ? { exitCode } : {}) });
    }
  } catch {
    // a malformed event is reported by the controller itself
  }
}

/** The simulated cluster introduced: which snapshot, what it holds (the demo's output starts with it). */
export function simulatedClusterNotes(snapshot: Snapshot, file: string | undefined): string[] {
  const waiting = snapshot.pending.length;
  const what = `${snapshot.groups.length} capacity provider(s) (${snapshot.groups.map((g) => `${g.name}: ${g.lifecycle}`).join(', ')}), ${snapshot.instances.length} instances, ${waiting} waiting task(s), as of ${snapshot.takenAt}`;
  return [file ? `simulated cluster "${snapshot.cluster}" from ${file}: ${what}` : `simulated demo cluster "${snapshot.cluster}" (${DEMO_SNAPSHOT}), no AWS account involved: ${what}; --cluster <snapshot> replays against another, --aws against your account (read-only)`];
}

/** The clusters the events name (ECS events' clusterArn) that the config does not: the bundled events name the demo's. */
function foreignClusters(events: Array<{ event: unknown }>, config: ControllerConfig): string[] {
  const configured = new Set(config.clusters.map((c) => c.name));
  const named = new Set<string>();
  for (const { event } of events) {
    const arn = (event as { detail?: { clusterArn?: unknown } } | null)?.detail?.clusterArn;
    if (typeof arn === 'string') named.add(arn.split('/').pop() ?? arn);
  }
  const foreign = [...named].filter((n) => !configured.has(n));
  return foreign.length === 0 ? [] : [`the events name cluster ${foreign.join(', ')}, which the config does not configure: they were recorded elsewhere (events/demo names the simulated demo cluster); replay events recorded in this account`];
}

export interface ReplayResult {
  events: ReplayedEvent[];
  after: Snapshot | undefined;
  notes: string[];
}

export async function replay(paths: string[], options: ReplayOptions, awsClientsFor: (region?: string) => Clients = awsClients): Promise<ReplayResult> {
  if (paths.length === 0) throw new CliError('replay needs at least one event file or directory', EXIT.usage);
  return replayEvents(() => collectEvents(paths), options, awsClientsFor);
}

/** Replays events (read after the options are checked) against the simulated cluster or the account. */
export async function replayEvents(
  read: () => Array<{ file: string; event: unknown; from?: string }>,
  options: ReplayOptions,
  awsClientsFor: (region?: string) => Clients = awsClients,
): Promise<ReplayResult> {
  if (options.aws && options.cluster) throw new CliError('--cluster (a snapshot) and --aws (a real account) exclude each other', EXIT.usage);
  if (options.apply && !options.aws) throw new CliError('--apply only makes sense with --aws', EXIT.usage);
  const clock = decisionClock(options.at, options.aws === true);
  // Marks (idle-since, drain and launch times) are stamped with the decision's time: written to the
  // account at another time than now, they would be backdated and the next tick would act on them.
  if (options.apply && clock.kind !== 'now') throw new CliError(`--at ${options.at} with --apply would write marks stamped with another time than now (the next tick would trust them): replay without --apply to see what was decided then`, EXIT.usage);
  const events = read();
  const snapshot = options.aws ? undefined : loadSnapshot(options.cluster ?? DEMO_SNAPSHOT);
  const { config: loaded, note } = loadConfig(options, snapshot);
  const notes = note ? [note] : [];
  const sim = snapshot ? new SimulatedAws(snapshot) : undefined;
  const base: Clients = sim ? withColdCaches({ ecs: sim.client('ecs'), autoscaling: sim.client('autoscaling'), ec2: sim.client('ec2'), cloudwatch: sim.client('cloudwatch') }) : awsClientsFor(options.region ?? loaded.region);
  if (snapshot) notes.push(...simulatedClusterNotes(snapshot, options.cluster));
  const context = sim ? undefined : await configContext(base, loaded, options);
  if (context) notes.push(...contextNotes(context), ...foreignClusters(events, loaded));
  // Against a real account: dry-run unless --apply.
  const config = options.aws ? { ...loaded, dryRun: !options.apply } : loaded;
  if (options.aws && !options.apply) notes.push('read-only: writes are shown, not sent (--apply sends them)');
  const started = new Date();
  notes.push(clockNote(clock, started));

  const route = await deployedRouter(config);
  const replayed: ReplayedEvent[] = [];
  for (const { file, event, from } of events) {
    const log: ReplayedCall[] = [];
    // A service's desired count before this event changed it (the diff shows it next to the groups').
    const servicesBefore = new Map<string, number>();
    const clients = recording(base, log, !options.aws || options.apply === true, (command, input) => {
      const name = String(input.service ?? '').split('/').pop() ?? '';
      if (sim && command === 'UpdateService' && typeof input.desiredCount === 'number' && !servicesBefore.has(name)) servicesBefore.set(name, sim.serviceDesired(name));
    });
    const before = sim?.toSnapshot();
    if (sim) implyState(sim, event);
    // The deployment's own rules and schedules decide which function the event reaches (src/duties/routes.ts).
    const [handler] = route.duties(event);
    const duty = handler ? (DUTIES[handler] as AnyDuty) : undefined;
    const now = clock.kind === 'now' ? new Date() : clock.kind === 'fixed' ? clock.at : eventTime(event, snapshot ? new Date(snapshot.takenAt) : new Date());
    let record: DecisionRecord;
    try {
      const run = async (): Promise<DecisionRecord> => (duty ? await runDuty(duty, event, { config, clients, now }) : unrouted(event, config.dryRun));
      record = context ? await inContext(context, run) : await run();
    } catch (raw) {
      // A read AWS refused is this event's record (below); the context is said once, in the notes.
      const e = raw instanceof AwsCommandError ? raw.cause : raw;
      const name = duty?.name ?? 'none';
      if (e instanceof EventValidationError) {
        record = { duty: name, eventId: e.eventId, detailType: undefined, outcome: 'rejected', reason: e.message, dryRun: config.dryRun, actions: [], calls: [], failures: [], skipped: [] };
      } else if (e instanceof ActuationError) {
        record = e.record;
      } else if (e instanceof CliError) {
        throw e;
      } else {
        // A read AWS refused (throttled, denied, not found): this event's record; the replay goes on.
        record = { duty: name, eventId: eventIdOf(event), detailType: undefined, outcome: 'failed', reason: awsError(e), dryRun: config.dryRun, actions: [], calls: [], failures: [], skipped: [] };
      }
    }
    const detailType = typeof event === 'object' && event !== null ? ((event as Record<string, unknown>)['detail-type'] as string | undefined) : undefined;
    const unsent = record.dryRun ? record.calls.map((c) => ({ ...c, sent: false })) : [];
    replayed.push({
      file,
      id: record.eventId,
      detailType,
      handler: handler ?? 'none',
      outcome: record.outcome,
      ...(record.reason ? { reason: record.reason } : {}),
      actions: record.actions.map((a) => ({ kind: a.kind, reason: a.action.reason, description: describeAction(a.action) })),
      calls: [...log, ...unsent],
      changes: sim && before ? summarizeChanges(before, sim.toSnapshot(), [...servicesBefore].map(([name, was]) => ({ name, before: was, after: sim.serviceDesired(name) }))) : [],
      failures: record.failures.map((f) => ({ action: f.action, items: f.items, error: f.error })),
      ...(from ? { from } : {}),
    });
  }
  return { events: replayed, after: sim ? toSnapshotV1(sim.toSnapshot()) : undefined, notes };
}

/** The record of an event no rule or schedule of the deployment sends to a function (a Lambda never sees it). */
function unrouted(event: unknown, dryRun: boolean): DecisionRecord {
  return { duty: 'none', eventId: eventIdOf(event), detailType: undefined, outcome: 'ignored', reason: 'no rule or schedule of the deployment sends this event to a function', dryRun, actions: [], calls: [], failures: [], skipped: [] };
}

/** How wide a line may be: the terminal's width (wrapped, never cut), or unlimited (`--wide`, or not a terminal). */
export interface RenderOptions {
  width?: number;
}

/** Wraps a line at spaces to the width; continuation lines are indented `indent` more than the line. */
export function wrap(line: string, width: number | undefined, indent = 4): string {
  if (!width || line.length <= width) return line;
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  const pad = ' '.repeat(lead.length + indent);
  const out: string[] = [];
  let current = lead;
  for (const word of line.slice(lead.length).split(' ')) {
    const blank = current.trim() === '';
    const next = blank ? `${current}${word}` : `${current} ${word}`;
    if (next.length > width && !blank) {
      out.push(current);
      current = `${pad}${word}`;
    } else current = next;
  }
  out.push(current);
  return out.join('\n');
}

/** Why an event failed: its reason, else its failed writes. */
export function failureCause(e: ReplayedEvent): string | undefined {
  if (e.reason) return e.reason;
  if (e.failures.length === 0) return undefined;
  return e.failures.map((f) => `${f.action} ${f.items.join(', ')}: ${f.error}`).join('; ');
}

export function renderReplay(result: ReplayResult, options: RenderOptions = {}): string {
  const out: string[] = result.notes.map((n) => wrap(`note: ${n}`, options.width));
  const push = (line: string): void => {
    out.push(wrap(line, options.width));
  };
  result.events.forEach((e, i) => {
    out.push('');
    push(`[${i + 1}/${result.events.length}] ${e.detailType ?? '(no detail-type)'}  ${e.file}`);
    if (e.from) push(`  from: ${e.from}`);
    const cause = failureCause(e);
    push(`  handler: ${e.handler}   outcome: ${e.outcome}${cause ? ` (${cause})` : ''}`);
    if (e.actions.length > 0) {
      // Decisions are what the duty meant to do; one whose write failed says so next to it.
      const failed = new Set(e.failures.map((f) => f.action));
      out.push(failed.size > 0 ? '  decisions (✗: its write failed, see below):' : '  decisions:');
      for (const a of e.actions) push(`    - ${a.description}${failed.has(a.kind) ? '  ✗' : ''}`);
    }
    if (e.failures.length > 0) {
      out.push('  failed:');
      for (const f of e.failures) push(`    - ${f.action} ${f.items.join(', ')}: ${f.error}`);
    }
    const writes = e.calls.filter((c) => !READ_ONLY.test(c.command));
    const reads = e.calls.length - writes.length;
    push(`  AWS calls: ${e.calls.length} (${reads} read${reads === 1 ? '' : 's'}${writes.length > 0 ? `; writes: ${writes.map((c) => `${c.command}${c.sent ? '' : ' (not sent)'}`).join(', ')}` : ''})`);
    if (e.changes.length > 0) {
      out.push('  cluster:');
      for (const c of e.changes) push(`    ${c}`);
    }
  });
  const counts = new Map<string, number>();
  for (const e of result.events) counts.set(e.outcome, (counts.get(e.outcome) ?? 0) + 1);
  out.push('', `${result.events.length} event(s): ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return out.join('\n');
}

export function replayJson(result: ReplayResult): string {
  return JSON.stringify(
    {
      events: result.events.map((e) => ({
        id: e.id,
        detailType: e.detailType,
        file: e.file,
        handler: e.handler,
        outcome: e.outcome,
        ...(failureCause(e) ? { reason: failureCause(e) } : {}),
        ...(e.from ? { from: e.from } : {}),
        actions: e.actions,
        failures: e.failures,
        calls: e.calls,
      })),
      ...(result.after ? { after: result.after } : {}),
      notes: result.notes,
    },
    null,
    2,
  );
}

/** Exit 0 when every event was acted on, had nothing to do or was ignored; 1 when one was rejected or failed. */
export function replayExitCode(result: ReplayResult): number {
  return result.events.some((e) => e.outcome === 'rejected' || e.outcome === 'failed') ? EXIT.rejected : EXIT.ok;
}
