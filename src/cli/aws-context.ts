/**
 * What an `--aws` command works on, and where each came from: the clusters, the Region, the account
 * and the stage. Said before the command reads (one `using:` line) and in every AWS error it ends
 * with, so a "Cluster not found" names the cluster, the Region and the account it was looked for in.
 */
import { clusterIdentity, sdkDefaultRegion } from '../aws/account-identity.js';
import type { Clients } from '../aws/clients.js';
import { operatorEnvironment } from '../config/load.js';

/** The stage `osls deploy` uses without `--stage` (serverless.yml: `${opt:stage, 'prod'}`; a test keeps them equal). */
export const DEFAULT_STAGE = 'prod';

/** The stage said with its origin. */
export function stageOrigin(flag: string | undefined): Origin<string> {
  return flag ? { value: flag, from: '--stage' } : { value: DEFAULT_STAGE, from: "default, as `osls deploy` without --stage" };
}

/** A value and where it came from (`--region`, `region: in ./ecs-pilot.yml`, `AWS_REGION`, …). */
export interface Origin<T> {
  value: T;
  from: string;
}

export interface AwsContext {
  clusters: Origin<string[]>;
  region: Origin<string | undefined>;
  account: Origin<string | undefined>;
  /** The deployed stage, for commands that read the stack's resources (status: its DLQ). */
  stage?: Origin<string>;
  /** Configured clusters ECS does not have in this account and Region. */
  missing: string[];
}

/** `--config x.yml`, or the default path said as a default (in the repository it is the demo config). */
export function configOrigin(path: string, given: boolean): string {
  return given ? `--config ${path}` : `${path}, the default --config`;
}

/**
 * The Region as the CLI's clients get it: `--region`, else the config's `region:` (which wins over
 * AWS_REGION, said when they differ), else the SDK's chain (AWS_REGION, then the profile's region).
 */
export async function regionOrigin(flag: string | undefined, configRegion: string | undefined, configFrom: string): Promise<Origin<string | undefined>> {
  const env = operatorEnvironment();
  if (flag) return { value: flag, from: '--region' };
  if (configRegion) return { value: configRegion, from: `region: in ${configFrom}${env.region && env.region !== configRegion ? `, which overrides AWS_REGION=${env.region}` : ''}` };
  if (env.region) return { value: env.region, from: 'AWS_REGION' };
  const resolved = await sdkDefaultRegion();
  return { value: resolved, from: resolved ? `the AWS profile ${env.profile ?? 'default'} (~/.aws/config)` : 'none: pass --region, set region: in the config, or AWS_REGION' };
}

/** Reads the account from the clusters' ARNs (one DescribeClusters) and puts the context together. */
export async function awsContext(clients: Pick<Clients, 'ecs'>, parts: { clusters: Origin<string[]>; region: Origin<string | undefined>; stage?: Origin<string> }): Promise<AwsContext> {
  const identity = await clusterIdentity(clients, parts.clusters.value);
  const account: Origin<string | undefined> = identity.account
    ? { value: identity.account, from: "the clusters' ARNs" }
    : { value: undefined, from: identity.error ? `unknown (DescribeClusters failed: ${identity.error.split(':')[0]})` : 'unknown (no configured cluster found)' };
  return { ...parts, account, missing: identity.error ? [] : identity.missing };
}

/** The context of a command whose clusters come from the config (status, doctor, replay, jobs run, cleanup). */
export async function configContext(
  clients: Pick<Clients, 'ecs'>,
  config: { clusters: ReadonlyArray<{ name: string }>; region?: string | undefined },
  options: { config: string; configGiven: boolean; region?: string | undefined },
  stage?: Origin<string>,
): Promise<AwsContext> {
  const from = configOrigin(options.config, options.configGiven);
  return awsContext(clients, { clusters: { value: config.clusters.map((c) => c.name), from }, region: await regionOrigin(options.region, config.region, from), ...(stage ? { stage } : {}) });
}

const list = (names: string[]): string => (names.length === 0 ? 'none' : names.join(', '));

/** One line: `cluster prod (--config ops.yml), region eu-west-1 (--region), account 1234 (…), stage prod (default)`. */
export function describeContext(c: AwsContext): string {
  const parts = [
    `cluster${c.clusters.value.length === 1 ? '' : 's'} ${list(c.clusters.value)} (${c.clusters.from})`,
    `region ${c.region.value ?? 'none'} (${c.region.from})`,
    `account ${c.account.value ?? 'unknown'}${c.account.value ? ` (${c.account.from})` : c.account.from.replace(/^unknown/, '')}`,
    ...(c.stage ? [`stage ${c.stage.value} (${c.stage.from})`] : []),
  ];
  return parts.join(', ');
}

/** The notes an `--aws` command prints first: what it uses, and the clusters the account does not have. */
export function contextNotes(c: AwsContext): string[] {
  const out = [`using ${describeContext(c)}`];
  // Run from the repository without --config, the default file is the example config of the demo cluster.
  if (c.clusters.from.endsWith('the default --config') && c.clusters.value.includes('demo')) out.push("that config names the demo cluster (the repository's example): pass --config <your config> to read your clusters");
  if (c.missing.length > 0) out.push(`ECS has no cluster ${c.missing.join(', ')} in account ${c.account.value ?? '(unknown)'}, region ${c.region.value ?? '(none)'}: check the config's clusters[].name and the region`);
  return out;
}

/** An AWS failure of an `--aws` command, with the context it ran in (the message names them). */
export class AwsCommandError extends Error {
  constructor(
    readonly context: AwsContext,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'AwsCommandError';
  }
}

/** Runs an `--aws` command's reads; an SDK error comes out as an AwsCommandError naming the context. */
export async function inContext<T>(context: AwsContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Error && ('$metadata' in e || e.name === 'CredentialsProviderError' || /Region is missing/i.test(e.message))) throw new AwsCommandError(context, e);
    throw e;
  }
}
