/** Loading the controller config. The one place that reads `process.env`. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { fieldIssues, ValidationError } from '../core/validation.js';
import { ControllerConfigSchema, type ClusterConfig, type ControllerConfig, type GroupConfig } from './schema.js';

/** What `configForSnapshot` reads of a snapshot (a snapshot is one). */
export interface SnapshotGroups {
  cluster: string;
  groups: ReadonlyArray<Pick<GroupConfig, 'name' | 'asg' | 'lifecycle'>>;
}

/**
 * Validates a parsed config document.
 * @throws ValidationError naming the path of each bad field (`$.clusters[0].groups[1].asg`)
 */
export function parseConfig(doc: unknown): ControllerConfig {
  const result = ControllerConfigSchema.safeParse(doc);
  if (!result.success) throw new ValidationError('config', fieldIssues(result.error), { cause: result.error });
  return result.data;
}

/** Reads and validates a YAML (or JSON) config file. */
export function loadConfigFile(path: string): ControllerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidationError('config', [{ path: '$', message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }], { cause: e });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos?.[0] ? ` (line ${e.linePos[0].line})` : '';
    throw new ValidationError('config', [{ path: '$', message: `${path} is not valid YAML${where}: ${(e as Error).message.split('\n')[0]}` }], { cause: e });
  }
  return parseConfig(doc);
}

/** A config for a snapshot's cluster when none covers it: its groups with default settings. */
export function configForSnapshot(snapshot: SnapshotGroups): ControllerConfig {
  return parseConfig({ clusters: [{ name: snapshot.cluster, groups: snapshot.groups.map((g) => ({ name: g.name, asg: g.asg, lifecycle: g.lifecycle })) }] });
}

/** Settings a Lambda takes from its environment. */
export interface RuntimeSettings {
  configFile: string;
  /** Forces dry-run on, whatever the config says (`ECS_PILOT_DRY_RUN=true`). */
  dryRunOverride: boolean;
  /** The DynamoDB table of the cluster-state store (`ECS_PILOT_STATE_TABLE`); none: every read goes to the APIs. */
  stateTable: string | undefined;
}

export function runtimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  return {
    configFile: env.ECS_PILOT_CONFIG ?? 'ecs-pilot.yml',
    dryRunOverride: env.ECS_PILOT_DRY_RUN === 'true',
    stateTable: env.ECS_PILOT_STATE_TABLE || undefined,
  };
}

/** The config a Lambda's settings name (its file, with the dry-run override); the wiring loads it once per warm container. */
export function loadRuntimeConfig(settings: RuntimeSettings): ControllerConfig {
  const config = loadConfigFile(settings.configFile);
  return settings.dryRunOverride ? { ...config, dryRun: true } : config;
}

export function findCluster(config: ControllerConfig, cluster: string): ClusterConfig | undefined {
  const name = clusterName(cluster);
  return config.clusters.find((c) => c.name === name);
}

export function findGroupByAsg(config: ControllerConfig, asg: string): { cluster: ClusterConfig; group: GroupConfig } | undefined {
  for (const cluster of config.clusters) {
    const group = cluster.groups.find((g) => g.asg === asg);
    if (group) return { cluster, group };
  }
  return undefined;
}

/** `arn:aws:ecs:us-east-1:123:cluster/prod` or `prod` → `prod` */
export function clusterName(clusterOrArn: string): string {
  const i = clusterOrArn.indexOf(':cluster/');
  return i === -1 ? clusterOrArn : clusterOrArn.slice(i + ':cluster/'.length);
}

/** What the operator's shell says about AWS (the CLI says where its region came from). */
export interface OperatorEnvironment {
  /** `AWS_REGION`, the SDK's region setting. */
  region: string | undefined;
  /** `AWS_PROFILE`: the profile whose credentials and region the SDK reads. */
  profile: string | undefined;
}

export function operatorEnvironment(env: NodeJS.ProcessEnv = process.env): OperatorEnvironment {
  return { region: env.AWS_REGION || undefined, profile: env.AWS_PROFILE || undefined };
}

/**
 * The SDK warns on every run under Node < 22 (7 lines, "NodeVersionSupportWarning") although ecs-pilot
 * supports Node 20.19; its documented switch turns it off unless the operator set it.
 */
export function quietSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
