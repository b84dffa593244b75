/**
 * `ecs-pilot doctor [--aws] [--json]`: read-only checks of what ecs-pilot needs in the account
 * (docs/operations.md; the AWS behaviour each relies on: docs/prerequisites.md). Each failed check
 * names the command or setting that fixes it. Exit 1 when one fails; a check whose read AWS refused
 * is `unverified` (exit 0, said so). Without --aws it runs against the simulated demo cluster.
 */
import { existsSync } from 'node:fs';
import { type ClusterFacts, type GroupFacts, type Read, readClusterFacts, readQueueDepth } from '../aws/account-checks.js';
import { readShortageFacts, type ShortageFacts } from '../aws/shortage-facts.js';
import { awsClients, awsSqs, type SqsReader, withColdCaches, type Clients } from '../aws/clients.js';
import { configForSnapshot, loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { modeOf } from '../core/capacity/modes.js';
import { ValidationError } from '../core/model.js';
import { SimulatedAws } from '../sim/simulated-aws.js';
import { configContext, contextNotes, inContext, type Origin, stageOrigin } from './aws-context.js';

import type { Check, CheckStatus } from './doctor-check.js';
import { readWorkloadFacts } from '../aws/workload-facts.js';
import { workloadChecks } from './doctor-workloads.js';
import { CliError, EXIT } from './errors.js';
import { loadSnapshot } from './io.js';
import { DEMO_SNAPSHOT, wrap } from './replay-command.js';

export type { Check, CheckStatus } from './doctor-check.js';

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

function hookCheck(cluster: string, g: GroupFacts): Check {
  const base = { cluster, group: g.group, check: 'lifecycle-hook' };
  const put = `aws autoscaling put-lifecycle-hook --auto-scaling-group-name ${g.asg} --lifecycle-hook-name ${g.hookName} --lifecycle-transition ${TERMINATING} --heartbeat-timeout 300 --default-result CONTINUE`;
  if (!g.hooks.ok) return { ...base, status: 'unverified', detail: `could not read the hooks of ${g.asg}: ${g.hooks.error}`, fix: 'grant autoscaling:DescribeLifecycleHooks to the operator (docs/operations.md, "IAM")' };
  if (g.asgSettings.ok && g.asgSettings.value === undefined) return { ...base, status: 'fail', detail: `Auto Scaling group ${g.asg} does not exist`, fix: `check \`asg:\` of group ${g.group} in the config` };
  const hook = g.hooks.value.find((h) => h.name === g.hookName);
  if (!hook) {
    const others = g.hooks.value.map((h) => h.name).join(', ');
    return { ...base, status: 'fail', detail: `no lifecycle hook ${g.hookName} on ${g.asg}${others ? ` (it has: ${others})` : ''}: terminations would not wait for the drain`, fix: put };
  }
  if (hook.transition !== TERMINATING) return { ...base, status: 'fail', detail: `hook ${g.hookName} on ${g.asg} is for ${hook.transition ?? 'no transition'}, not ${TERMINATING}`, fix: put };
  // AWS's defaults when a field is absent: a heartbeat timeout of 3600 s, default result ABANDON (PutLifecycleHook).
  const heartbeat = hook.heartbeatSeconds ?? 3600;
  const result = hook.defaultResult ?? 'ABANDON';
  return { ...base, status: 'pass', detail: `hook ${g.hookName}: ${TERMINATING}, heartbeat ${heartbeat} s${hook.heartbeatSeconds === undefined ? ' (AWS default)' : ''}, default result ${result}${hook.defaultResult === undefined ? ' (AWS default)' : ''} (either result terminates the instance once the hook times out)` };
}

function providerChecks(cluster: string, g: GroupFacts): Check[] {
  const base = { cluster, group: g.group };
  if (!g.provider.ok) return [{ ...base, check: 'managed-scaling', status: 'unverified', detail: `could not read capacity provider ${g.group}: ${g.provider.error}`, fix: 'grant ecs:DescribeCapacityProviders to the operator' }];
  const p = g.provider.value;
  if (!p) return [{ ...base, check: 'managed-scaling', status: 'fail', detail: `ECS has no capacity provider ${g.group}: ecs-pilot would treat it as own mode, tasks naming it cannot run`, fix: `check \`name:\` of the group in the config, or create it: aws ecs create-capacity-provider --name ${g.group} --auto-scaling-group-provider autoScalingGroupArn=<arn of ${g.asg}>,managedScaling={status=DISABLED},managedDraining=DISABLED` }];
  const m = modeOf(p);
  const out: Check[] = [
    {
      ...base,
      check: 'managed-scaling',
      status: 'info',
      detail:
        m.mode === 'accelerate'
          ? `managed scaling ENABLED → mode accelerate: ECS scales the group (target ${m.targetCapacityPercent}%, step ${m.minimumScalingStepSize}–${m.maximumScalingStepSize}, warm-up ${m.instanceWarmupSeconds} s); ecs-pilot sizes waiting tasks at once and never lowers ECS's desired capacity`
          : `managed scaling ${p.managedScaling?.status ?? 'absent'} → mode own: ecs-pilot owns the group's scaling (service deficits, placement failures, failed RunTask calls through CloudTrail)`,
    },
  ];
  out.push(
    p.managedDraining === 'ENABLED'
      ? { ...base, check: 'managed-draining', status: 'fail', detail: `managed draining ENABLED on ${g.group}: ECS adds its own terminate hook and drains too, racing ecs-pilot's hook`, fix: `aws ecs update-capacity-provider --name ${g.group} --auto-scaling-group-provider managedDraining=DISABLED` }
      : { ...base, check: 'managed-draining', status: 'pass', detail: `managed draining ${p.managedDraining ?? 'absent (DISABLED)'}` },
  );
  out.push(protectionCheck(cluster, g, p.managedTerminationProtection, m.mode));
  return out;
}

function protectionCheck(cluster: string, g: GroupFacts, mtp: string | undefined, mode: 'own' | 'accelerate'): Check {
  const base = { cluster, group: g.group, check: 'termination-protection' };
  if (mtp !== 'ENABLED') return { ...base, status: 'pass', detail: `managed termination protection ${mtp ?? 'absent (DISABLED)'}: ecs-pilot protects busy instances itself and lifts it from empty ones` };
  if (mode === 'own') return { ...base, status: 'fail', detail: `managed termination protection ENABLED without managed scaling: it does not work then (ECS API reference, AutoScalingGroupProvider)`, fix: `aws ecs update-capacity-provider --name ${g.group} --auto-scaling-group-provider managedTerminationProtection=DISABLED` };
  if (!g.asgSettings.ok) return { ...base, status: 'unverified', detail: `could not read ASG ${g.asg}: ${g.asgSettings.error}`, fix: 'grant autoscaling:DescribeAutoScalingGroups to the operator' };
  if (g.asgSettings.value && !g.asgSettings.value.newInstancesProtected) return { ...base, status: 'fail', detail: `managed termination protection ENABLED but ${g.asg} does not protect new instances from scale-in: ECS requires it`, fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${g.asg} --new-instances-protected-from-scale-in` };
  return { ...base, status: 'pass', detail: 'managed termination protection ENABLED with ASG scale-in protection: ECS owns instance protection, ecs-pilot leaves it alone' };
}

function rebalanceCheck(cluster: string, g: GroupFacts): Check {
  const base = { cluster, group: g.group, check: 'capacity-rebalance' };
  if (!g.asgSettings.ok) return { ...base, status: 'unverified', detail: `could not read ASG ${g.asg}: ${g.asgSettings.error}`, fix: 'grant autoscaling:DescribeAutoScalingGroups to the operator' };
  const on = g.asgSettings.value?.capacityRebalance === true;
  if (on && g.rebalance === 'prescale') return { ...base, status: 'fail', detail: `Capacity Rebalancing on ${g.asg} and rebalance: prescale: the ASG and ecs-pilot each launch a replacement`, fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${g.asg} --no-capacity-rebalance (or set rebalance: drain for ${g.group} in the config)` };
  return { ...base, status: 'pass', detail: `Capacity Rebalancing ${on ? 'on' : 'off'}, rebalance: ${g.rebalance}` };
}

function policiesCheck(cluster: string, g: GroupFacts): Check {
  const base = { cluster, group: g.group, check: 'scaling-policies' };
  if (!g.scalingPolicies.ok) return { ...base, status: 'unverified', detail: `could not read the scaling policies of ${g.asg}: ${g.scalingPolicies.error}`, fix: 'grant autoscaling:DescribePolicies to the operator' };
  const own = g.scalingPolicies.value.filter((p) => p.enabled && p.ecsManaged !== true);
  const ecs = g.scalingPolicies.value.filter((p) => p.ecsManaged === true);
  if (own.length > 0) return { ...base, status: 'fail', detail: `${g.asg} has its own scaling policies (${own.map((p) => p.name).join(', ')}): they change the desired capacity ecs-pilot sets`, fix: own.map((p) => `aws autoscaling delete-policy --auto-scaling-group-name ${g.asg} --policy-name ${p.name}`).join('; ') };
  return { ...base, status: 'pass', detail: ecs.length > 0 ? `only ECS managed scaling's own target tracking policy (${ecs.map((p) => p.name).join(', ')}): accelerate mode's backstop` : 'no scaling policies of its own' };
}

function spotDrainingCheck(cluster: string, g: GroupFacts): Check | undefined {
  if (g.lifecycle !== 'spot' || !g.agentSpotDraining) return undefined;
  const base = { cluster, group: g.group, check: 'agent-spot-draining' };
  const r = g.agentSpotDraining;
  if (!r.ok) return { ...base, status: 'unverified', detail: `could not read the launch template of ${g.asg}: ${r.error}`, fix: 'grant ec2:DescribeLaunchTemplateVersions to the operator' };
  if (r.value === undefined) return { ...base, status: 'unverified', detail: `no user data readable for ${g.asg} (no launch template, or none in it): the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING is unknown`, fix: 'add `echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config` to the user data' };
  if (!r.value) return { ...base, status: 'fail', detail: `the user data of ${g.asg} does not set ECS_ENABLE_SPOT_INSTANCE_DRAINING=true (off by default): if an interruption warning reaches ecs-pilot late or not at all, nothing drains the instance`, fix: 'add `echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config` to the launch template user data, then roll the group' };
  return { ...base, status: 'pass', detail: 'the user data sets ECS_ENABLE_SPOT_INSTANCE_DRAINING=true: the agent drains on the interruption warning too (a backstop to ecs-pilot)' };
}

/** RunTask failures reach EventBridge only through a CloudTrail trail; ecs-pilot does not read CloudTrail, so this is never "pass". */
function cloudTrailCheck(facts: ClusterFacts): Check | undefined {
  const own = facts.groups.filter((g) => g.provider.ok && modeOf(g.provider.value).mode === 'own');
  if (own.length === 0) return undefined;
  return {
    cluster: facts.cluster,
    check: 'cloudtrail-runtask',
    status: 'unverified',
    detail: `${own.map((g) => g.group).join(', ')} in own mode: third-party RunTask failures reach ecs-pilot only through "AWS API Call via CloudTrail", which needs a trail with logging on in this region; ecs-pilot does not read CloudTrail`,
    fix: 'check: aws cloudtrail describe-trails, then aws cloudtrail get-trail-status --name <trail> (IsLogging: true); create one with aws cloudtrail create-trail + start-logging',
  };
}

/** The cluster exists, and each configured provider is associated with it (else no task can name it). */
function clusterCheck(facts: ClusterFacts): Check {
  const base = { cluster: facts.cluster, check: 'cluster' };
  const c = facts.ecsCluster;
  if (!c.ok) return { ...base, status: 'unverified', detail: `could not read cluster ${facts.cluster}: ${c.error}`, fix: 'grant ecs:DescribeClusters to the operator' };
  if (!c.value) return { ...base, status: 'fail', detail: `ECS has no active cluster ${facts.cluster} in this account and region`, fix: 'check `name:` of the cluster in the config, and --region' };
  const attached = new Set(c.value.capacityProviders);
  const missing = facts.groups.filter((g) => !attached.has(g.group)).map((g) => g.group);
  if (missing.length > 0) {
    return { ...base, status: 'fail', detail: `capacity provider(s) ${missing.join(', ')} not associated with cluster ${facts.cluster} (it has: ${c.value.capacityProviders.join(', ') || 'none'})`, fix: `aws ecs put-cluster-capacity-providers --cluster ${facts.cluster} --capacity-providers ${[...attached, ...missing].join(' ')} --default-capacity-provider-strategy <the current one> (the call replaces both lists: name every provider and the default strategy)` };
  }
  return { ...base, status: 'pass', detail: `cluster ${facts.cluster} has every configured capacity provider` };
}

/** The checks for a cluster's facts, in a fixed order (pure). */
export function checksFor(facts: ClusterFacts): Check[] {
  const out: Check[] = [clusterCheck(facts)];
  for (const g of facts.groups) {
    out.push(hookCheck(facts.cluster, g), ...providerChecks(facts.cluster, g), rebalanceCheck(facts.cluster, g), policiesCheck(facts.cluster, g));
    const spot = spotDrainingCheck(facts.cluster, g);
    if (spot) out.push(spot);
  }
  const trail = cloudTrailCheck(facts);
  if (trail) out.push(trail);
  return out;
}

/**
 * Capacity-shortage checks (docs/capacity-shortage.md, pure): spot groups that invite shortages
 * (fewer than 3 instance types, one AZ, `lowest-price`, a spot max price), a `fallbackGroup` that the
 * services pinned to the spot provider cannot use, and `onDemandFallback` on a group that is not
 * mixed-instances.
 */
export function shortageChecks(facts: ShortageFacts): Check[] {
  const out: Check[] = [];
  for (const g of facts.groups) {
    const base = { cluster: facts.cluster, group: g.group, check: 'capacity-shortage' };
    if (!g.launch.ok) {
      if (g.lifecycle === 'spot' || g.onDemandFallback) out.push({ ...base, status: 'unverified', detail: `could not read ASG ${g.asg}: ${g.launch.error}`, fix: 'grant autoscaling:DescribeAutoScalingGroups to the operator' });
      continue;
    }
    const l = g.launch.value;
    if (!l) continue; // a missing ASG is the lifecycle-hook check's failure
    if (g.onDemandFallback && !l.mixed) {
      out.push({ ...base, status: 'fail', detail: `onDemandFallback is on but ${g.asg} has no mixed instances policy: its on-demand base cannot be raised`, fix: `give ${g.asg} a mixed instances policy (launch template + overrides), or remove onDemandFallback from group ${g.group}` });
    }
    if (g.onDemandFallback && g.instanceProfile) out.push(permissionsCheck(facts.cluster, g));
    if (g.lifecycle !== 'spot') continue;
    const warn = (detail: string, fix: string) => out.push({ ...base, status: 'warn', detail, fix });
    if (l.types !== undefined && l.types < 3) warn(`${g.asg} launches ${l.types} instance type(s): one short spot pool stops its launches (spot asks for flexibility across types and AZs; EC2's spot placement score needs at least 3 types)`, `add instance types to the overrides of ${g.asg}'s mixed instances policy (or use attribute-based selection)`);
    if (l.azs === 1) warn(`${g.asg} uses one Availability Zone: a shortage there leaves it no other pool`, `add subnets in other Availability Zones to ${g.asg}`);
    if (l.spotAllocationStrategy === 'lowest-price') warn(`${g.asg} uses the lowest-price spot allocation strategy: the cheapest pools are often the most interrupted and the first to run dry`, `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${g.asg} --mixed-instances-policy '{"InstancesDistribution":{"SpotAllocationStrategy":"price-capacity-optimized"}}'`);
    if (l.spotMaxPrice !== undefined) warn(`${g.asg} sets a spot max price (${l.spotMaxPrice}): launches fail when the price rises above it (SpotMaxPriceTooLow)`, `remove SpotMaxPrice from ${g.asg}'s instances distribution (the default is the on-demand price)`);
    if (g.fallbackGroup !== undefined) {
      if (!facts.services.ok) {
        out.push({ ...base, check: 'fallback-pinned', status: 'unverified', detail: `could not read the services of ${facts.cluster}: ${facts.services.error}`, fix: 'grant ecs:ListServices and ecs:DescribeServices to the operator' });
        continue;
      }
      const pinned = facts.services.value.filter((s) => s.providers.length > 0 && s.providers.every((p) => p === g.group)).map((s) => s.service);
      if (pinned.length > 0) {
        out.push({
          ...base,
          check: 'fallback-pinned',
          status: 'warn',
          detail: `fallbackGroup ${g.fallbackGroup} cannot host service(s) ${pinned.join(', ')}: their capacity provider strategy names only ${g.group}, and ECS places a task only on its strategy's providers`,
          fix: g.onDemandFallback ? `nothing for them: onDemandFallback on ${g.group} launches them on-demand in the group` : `set onDemandFallback: true on group ${g.group} (a mixed-instances group), or name ${g.fallbackGroup} in those services' strategies`,
        });
      }
    }
  }
  return out;
}

/**
 * The permissions raising the on-demand base needs beyond the deployment's own grants: AWS authorises
 * UpdateAutoScalingGroup on a launch-template group as launching it, including passing the template's
 * instance profile role, which the deployment may pass only as `instanceRole`. IAM is not read: the
 * profile's name is compared with the role's (they match when the console created the profile).
 */
function permissionsCheck(cluster: string, g: ShortageFacts['groups'][number]): Check {
  const base = { cluster, group: g.group, check: 'on-demand-permissions' };
  const p = g.instanceProfile!;
  if (!p.ok) return { ...base, status: 'unverified', detail: `could not read the launch template of ${g.asg}: ${p.error}`, fix: 'grant ec2:DescribeLaunchTemplateVersions to the operator' };
  if (p.value === undefined) return { ...base, status: 'pass', detail: `the launch template of ${g.asg} names no instance profile: raising its on-demand base passes no role` };
  const role = g.instanceRole;
  if (role === undefined) {
    return { ...base, status: 'fail', detail: `the launch template of ${g.asg} names instance profile ${p.value} but group ${g.group} has no instanceRole: the deployment may not pass its role, so raising the on-demand base is refused ("You are not authorized to use launch template")`, fix: `set groups[].instanceRole of ${g.group} to the role in that instance profile (aws iam get-instance-profile), then deploy` };
  }
  const profile = p.value.split('/').pop() ?? p.value;
  const roleName = role.split('/').pop() ?? role;
  if (profile === roleName) return { ...base, status: 'pass', detail: `instance profile ${profile} and instanceRole ${role} share a name: the deployment may pass it (to EC2 only)` };
  return {
    ...base,
    status: 'warn',
    detail: `the launch template of ${g.asg} names instance profile ${profile}, instanceRole is ${role}: if the profile's role is another one, raising the on-demand base fails ("You are not authorized to use launch template")`,
    fix: `check with aws iam get-instance-profile --instance-profile-name ${profile}, and set groups[].instanceRole of ${g.group} to the role it contains`,
  };
}

export interface AccountOptions {
  config: string;
  configGiven: boolean;
  aws?: boolean;
  region?: string;
}

/** The config and clients: the account (--aws, config required), else the simulated demo cluster with the config's settings for it. */
export function accountFor(options: AccountOptions, clientsFor: (region?: string) => Clients = awsClients): { config: ControllerConfig; clients: Clients; simulated: boolean; notes: string[] } {
  const notes: string[] = [];
  let config: ControllerConfig | undefined;
  if (existsSync(options.config)) {
    try {
      config = loadConfigFile(options.config);
    } catch (e) {
      if (e instanceof ValidationError) throw new CliError(`${options.config}: ${e.message}`, EXIT.rejected, { cause: e });
      throw e;
    }
  } else if (options.configGiven || options.aws) throw new CliError(`cannot read config ${options.config}: no such file${options.aws ? ' (--aws checks the clusters and groups the config names)' : ''}`, EXIT.rejected);
  if (options.aws) return { config: config as ControllerConfig, clients: clientsFor(options.region ?? config?.region), simulated: false, notes };
  const snapshot = loadSnapshot(DEMO_SNAPSHOT);
  const sim = new SimulatedAws(snapshot);
  const fromConfig = config?.clusters.find((c) => c.name === snapshot.cluster);
  // The simulated account is set up as the config expects it (as its hooks are): its scaling rules' alarms exist, in OK.
  for (const rule of config?.serviceScaling.filter((r) => r.cluster === snapshot.cluster) ?? []) {
    for (const a of rule.alarms) sim.alarms.set({ name: a.alarm, state: 'OK', updatedAt: new Date(snapshot.takenAt) });
  }
  if (!fromConfig) notes.push(`${config ? `${options.config} has no cluster "${snapshot.cluster}"` : `no ${options.config}`}: using the demo snapshot's groups with default settings`);
  notes.push(`simulated demo cluster (${DEMO_SNAPSHOT}); --aws reads the account`);
  return {
    config: fromConfig && config ? { ...config, clusters: [fromConfig] } : configForSnapshot(snapshot),
    clients: withColdCaches({ ecs: sim.client('ecs'), autoscaling: sim.client('autoscaling'), ec2: sim.client('ec2'), cloudwatch: sim.client('cloudwatch') }),
    simulated: true,
    notes,
  };
}

export interface DoctorResult {
  simulated: boolean;
  checks: Check[];
  notes: string[];
}

/**
 * Whether the stack is deployed where doctor looks: its dead-letter queue (`ecs-pilot-<stage>-dlq`,
 * serverless.yml) exists. Before the first deploy it does not, which is no failure: said as info.
 */
export function deploymentCheck(cluster: string, stage: Origin<string>, region: string | undefined, dlq: Read<{ url: string; messages: number }>): Check {
  const base = { cluster, check: 'deployment' };
  const queue = `ecs-pilot-${stage.value}-dlq`;
  if (dlq.ok) return { ...base, status: 'pass', detail: `stage ${stage.value} is deployed in ${region ?? 'this region'}: its DLQ ${queue} holds ${dlq.value.messages} message(s)${dlq.value.messages > 0 ? ' (replay them after the fix: docs/replay.md)' : ''}` };
  if (/QueueDoesNotExist|NonExistentQueue/.test(dlq.error)) {
    return { ...base, status: 'info', detail: `no ${queue} in ${region ?? 'this region'}: stage ${stage.value} (${stage.from}) is not deployed here — expected before the first deploy; otherwise check --stage and the region`, fix: 'deploy (docs/deploy.md), or pass --stage <the deployed stage>' };
  }
  return { ...base, status: 'unverified', detail: `could not read ${queue}: ${dlq.error}`, fix: 'grant sqs:GetQueueUrl and sqs:GetQueueAttributes to the operator' };
}

export async function doctor(options: AccountOptions & { stage?: string }, clientsFor?: (region?: string) => Clients, sqsFor: (region?: string) => SqsReader = awsSqs): Promise<DoctorResult> {
  const { config, clients, simulated, notes } = accountFor(options, clientsFor);
  const stage = stageOrigin(options.stage);
  const context = simulated ? undefined : await configContext(clients, config, options, stage);
  if (context) notes.push(...contextNotes(context));
  const read = async (): Promise<Check[]> => {
    const now = new Date();
    const checks: Check[] = [];
    for (const cluster of config.clusters) {
      checks.push(...checksFor(await readClusterFacts(clients, cluster, now)));
      checks.push(...shortageChecks(await readShortageFacts(clients, cluster)));
      checks.push(...workloadChecks(await readWorkloadFacts(clients, config, cluster.name)));
    }
    if (context) checks.push(deploymentCheck(config.clusters.map((c) => c.name).join(', '), stage, context.region.value, await readQueueDepth(sqsFor(options.region ?? config.region), `ecs-pilot-${stage.value}-dlq`)));
    return checks;
  };
  return { simulated, checks: context ? await inContext(context, read) : await read(), notes };
}

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', fail: 'FAIL', unverified: '??  ', info: 'info', warn: 'warn' };

/** `width`: the terminal's; long lines wrap to it at spaces (never cut). */
export function renderDoctor(result: DoctorResult, width?: number): string {
  const out: string[] = result.notes.map((n) => wrap(`note: ${n}`, width));
  let cluster = '';
  for (const c of result.checks) {
    if (c.cluster !== cluster) {
      cluster = c.cluster;
      out.push('', `Cluster ${cluster}:`);
    }
    out.push(wrap(`  ${MARK[c.status]} ${c.group ? `${c.group} ` : ''}${c.check}: ${c.detail}`, width, 5));
    if (c.fix && c.status !== 'pass') out.push(wrap(`       fix: ${c.fix}`, width, 5));
  }
  const count = (s: CheckStatus) => result.checks.filter((c) => c.status === s).length;
  out.push('', `${result.checks.length} checks: ${count('fail')} failed, ${count('unverified')} unverified, ${count('pass')} ok, ${count('info')} info, ${count('warn')} warning(s)`);
  return out.join('\n');
}

export function doctorJson(result: DoctorResult): string {
  return JSON.stringify({ simulated: result.simulated, ok: doctorExitCode(result) === EXIT.ok, checks: result.checks, notes: result.notes }, null, 2);
}

/** 1 when a check failed; unverified checks do not fail the run (they are said). */
export function doctorExitCode(result: DoctorResult): number {
  return result.checks.some((c) => c.status === 'fail') ? EXIT.rejected : EXIT.ok;
}
