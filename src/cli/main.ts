#!/usr/bin/env node
/** `ecs-pilot` command line. Exit 0 on success, 1 when input or config is rejected, 2 on usage errors. */
import { Command, CommanderError } from 'commander';
import { ValidationError } from '../core/model.js';
import { describeAwsError } from './aws-errors.js';
import { AwsCommandError, DEFAULT_STAGE, describeContext } from './aws-context.js';
import { cleanup, cleanupExitCode, renderCleanup } from './cleanup-command.js';
import { doctor, doctorExitCode, doctorJson, renderDoctor } from './doctor-command.js';
import { CliError, EXIT } from './errors.js';
import { renderStatus, status, statusExitCode, statusJson } from './status-command.js';
import { runPlanCommand } from './plan-command.js';
import { DEMO_SNAPSHOT, renderReplay, replay, replayExitCode, replayJson } from './replay-command.js';
import { listJobs, loadJobsConfig, renderJobs, runJobNow } from './jobs-command.js';
import { FAULTS_HELP, runSimulateCommand } from './simulate-command.js';
import { runSnapshotCommand } from './snapshot-command.js';
import { renderValidate, validate } from './validate-command.js';
import { type Progress, terminalProgress } from './progress.js';
import { VERSION } from './version.js';
import { quietSdkNodeWarning } from '../config/load.js';

/**
 * One rule for the account (docs/replay.md, "--aws"): a command reads or writes your AWS account only
 * with `--aws`. snapshot and cleanup have no simulated counterpart and read it without the flag, as
 * before, with this notice; a later version requires the flag.
 */
export function deprecatedWithoutAws(command: string): string {
  return `ecs-pilot: deprecated: \`${command}\` reads your AWS account; pass --aws, as every command that does (without it, ${command} still reads the account, but a later version will refuse)`;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The terminal's width when stdout is one: long lines wrap to it instead of being cut. */
  columns?: number;
  /** A progress bar for long runs; offered only when stdout is a terminal. */
  progress?: (label: string) => Progress;
}

export function buildProgram(io: CliIo, setExitCode: (code: number) => void = () => {}): Command {
  const write = io.out;
  const program = new Command();
  // Set before the subcommands are added: they inherit it.
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program
    .name('ecs-pilot')
    .description('Event-driven controller for Amazon ECS on EC2: plan capacity, replay events against a simulated or real cluster, simulate scenarios.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--config <file>', 'controller config', './ecs-pilot.yml')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('plan')
    .description('Plan capacity for a cluster snapshot (format v1): where waiting tasks go, how many instances to add.')
    .argument('<snapshot>', 'snapshot JSON file (docs/snapshot-format.md)')
    .option('--json', 'print the plan as JSON')
    .option('--consolidate', 'also show which instances consolidation would drain, why, and the saving')
    .exitOverride()
    .action((file: string, options: { json?: boolean; consolidate?: boolean }) => setExitCode(runPlanCommand(file, { ...options, config: program.opts<{ config: string }>().config }, write, io.err)));

  program
    .command('replay')
    .description('Replay recorded events through the real handlers against a simulated cluster (default) or, read-only, a real account.')
    .argument('<events...>', 'event JSON files or directories of them (a file may hold an array of events)')
    .option('--cluster <snapshot>', `snapshot v1 the simulated cluster starts from (default ${DEMO_SNAPSHOT})`)
    .option('--json', 'print one JSON object: events (id, detailType, handler, outcome, actions, calls) and after (snapshot v1)')
    .option('--aws', 'read the real account (credentials from the usual SDK chain); sends no write without --apply')
    .option('--apply', 'with --aws: send the writes')
    .option('--region <region>', 'with --aws: the AWS region')
    .option('--at <now|event|time>', "the time the duties decide at: now (the clock, as the Lambda; default with --aws), event (each event's time; default on the simulated cluster) or an ISO 8601 time; only now with --apply")
    .option('--wide', 'one line per item, never wrapped to the terminal width')
    .exitOverride()
    .action(async (paths: string[], options: { cluster?: string; json?: boolean; aws?: boolean; apply?: boolean; region?: string; at?: string; wide?: boolean }) => {
      const globals = program.opts<{ config: string }>();
      const result = await replay(paths, { ...options, config: globals.config, configGiven: program.getOptionValueSource('config') === 'cli' });
      write(options.json ? replayJson(result) : renderReplay(result, { width: options.wide ? undefined : io.columns }));
      setExitCode(replayExitCode(result));
    });

  const jobs = program.command('jobs').description('Batch jobs from the config: list them, start one now.');
  jobs
    .command('list')
    .description('Each job with its schedule, the next three run times in its time zone, and its policy.')
    .option('--json', 'print as JSON')
    .exitOverride()
    .action((options: { json?: boolean }) => {
      const listing = listJobs(loadJobsConfig(program.opts<{ config: string }>().config), new Date());
      write(options.json ? JSON.stringify(listing, null, 2) : renderJobs(listing));
    });
  jobs
    .command('run')
    .description('Start a run of a job now: on the simulated cluster (default), or with --aws on the account (dry-run unless --apply).')
    .argument('<name>', 'job name from the config')
    .option('--cluster <snapshot>', `snapshot v1 of the simulated cluster (default ${DEMO_SNAPSHOT})`)
    .option('--aws', 'the real account (credentials from the usual SDK chain); nothing is started without --apply')
    .option('--apply', 'with --aws: really start it')
    .option('--region <region>', 'with --aws: the AWS region')
    .option('--json', 'print the decision and the calls as JSON')
    .option('--wide', 'one line per item, never wrapped to the terminal width')
    .exitOverride()
    .action(async (name: string, options: { cluster?: string; aws?: boolean; apply?: boolean; region?: string; json?: boolean; wide?: boolean }) => {
      const result = await runJobNow(name, { ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' }, new Date());
      write(options.json ? replayJson(result) : renderReplay(result, { width: options.wide ? undefined : io.columns }));
      setExitCode(replayExitCode(result));
    });
  jobs.exitOverride();

  program
    .command('simulate')
    .description('Run a scenario (docs/simulation.md) on the simulated cluster under ecs-pilot or a model of ECS managed scaling.')
    .argument('<scenario>', 'scenario file (YAML or JSON), e.g. events/scenarios/burst.yml')
    .option('--controller <name>', 'ecs-pilot | ecs-managed', 'ecs-pilot')
    .option('--consolidation', 'ecs-pilot with consolidation on (docs/consolidation.md)')
    .option('--managed-scaling <on|off>', "the capacity providers' managed scaling (ecs-pilot: on = accelerate, off = own); overrides the scenario")
    .option('--ecs-warmup <seconds>', "ECS managed scaling's instanceWarmupPeriod")
    .option('--ecs-target <percent>', "ECS managed scaling's targetCapacity")
    .option('--ecs-spot-draining <on|off>', "the ECS agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING")
    .option('--store <on|off>', "ecs-pilot with its cluster-state store fed by the simulated ECS events, as deployed (default on); off: every duty reads the APIs in full", 'on')
    .option('--faults <kind=rate,...>', FAULTS_HELP)
    .option('--faults-until <seconds>', 'no fault injected after this many simulated seconds, so recovery is measured (default: 20 minutes before the end)')
    .option('--seed <n>', 'the fault plan\'s seed: the same seed gives the same run (default 1)')
    .option('--json', 'print the metrics and the per-minute series as JSON')
    .option('--report <file>', 'also write an HTML report (charts, table, settings) to this .html file, the run beside ECS tuned')
    .option('--no-baseline', 'the report without the ECS tuned run beside this one')
    .exitOverride()
    .action(async (path: string, options: { controller: string; consolidation?: boolean; managedScaling?: string; ecsWarmup?: string; ecsTarget?: string; ecsSpotDraining?: string; store?: string; faults?: string; faultsUntil?: string; seed?: string; json?: boolean; report?: string; baseline?: boolean }) => {
      await runSimulateCommand(path, { ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' }, write, options.json ? undefined : io.progress);
    });

  program
    .command('snapshot')
    .description("Write a real cluster's snapshot v1 (read-only). Groups come from --config, else from the cluster's capacity providers.")
    .requiredOption('--cluster <name>', 'ECS cluster name')
    .option('--aws', 'read the real account (credentials from the usual SDK chain); snapshot has no simulated counterpart, so this is what it does, and it will be required')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--region <region>', 'AWS region')
    .exitOverride()
    .action(async (options: { cluster: string; aws?: boolean; out?: string; region?: string }) => {
      if (!options.aws) io.err(deprecatedWithoutAws('snapshot'));
      await runSnapshotCommand({ ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' }, write, undefined, io.err);
    });

  program
    .command('cleanup')
    .description("List (default, read-only) or remove (--apply) what ecs-pilot left in the account: ecs-pilot.* instance attributes, scale-in protection, its service tags (docs/upgrade.md).")
    .option('--aws', 'the real account (credentials from the usual SDK chain); cleanup has no simulated counterpart, so this is what it does, and it will be required')
    .option('--cluster <name>', 'only this cluster of the config (default: all)')
    .option('--apply', 'remove them')
    .option('--region <region>', 'AWS region')
    .option('--json', 'print as JSON')
    .exitOverride()
    .action(async (options: { aws?: boolean; cluster?: string; apply?: boolean; region?: string; json?: boolean }) => {
      if (!options.aws) io.err(deprecatedWithoutAws('cleanup'));
      const result = await cleanup({ ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' });
      write(options.json ? JSON.stringify(result, null, 2) : renderCleanup(result));
      setExitCode(cleanupExitCode(result));
    });

  program
    .command('validate')
    .description('Check the config as `osls package` does (schema, passRoles on every job, deploy region against the config\'s), offline, before a deploy. Exit 1 naming each field that stops it.')
    .option('--region <region>', 'the region you will deploy to (`osls deploy --region`); default the config\'s region')
    .option('--json', 'print as JSON')
    .exitOverride()
    .action((options: { region?: string; json?: boolean }) => {
      const result = validate({ ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' });
      write(options.json ? JSON.stringify(result, null, 2) : renderValidate(result));
    });

  program
    .command('status')
    .description('What ecs-pilot sees, per cluster and capacity provider: mode, desired / in service / launching (units named), waiting tasks, protected, idle and draining instances, conflicts, DLQ depth. Read-only.')
    .option('--aws', 'read the real account (credentials from the usual SDK chain); default: the simulated demo cluster')
    .option('--region <region>', 'with --aws: the AWS region')
    .option('--dlq <url|name>', 'with --aws: the dead-letter queue (default ecs-pilot-<stage>-dlq, as serverless.yml names it)')
    .option('--stage <stage>', `with --aws: the deployed stage, for the DLQ name (default ${DEFAULT_STAGE}, as \`osls deploy\` without --stage)`)
    .option('--json', 'print as JSON')
    .option('--wide', 'one line per item, never wrapped to the terminal width')
    .exitOverride()
    .action(async (options: { aws?: boolean; region?: string; dlq?: string; stage?: string; json?: boolean; wide?: boolean }) => {
      const onlyAws = ['region', 'dlq', 'stage'].filter((k) => options[k as 'region' | 'dlq' | 'stage'] !== undefined);
      if (!options.aws && onlyAws.length > 0) throw new CliError(`--${onlyAws[0]} only makes sense with --aws`, EXIT.usage);
      const result = await status({ ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' });
      write(options.json ? statusJson(result) : renderStatus(result, options.wide ? undefined : io.columns));
      setExitCode(statusExitCode(result));
    });

  program
    .command('doctor')
    .description('Read-only checks of what ecs-pilot needs in the account (docs/operations.md): lifecycle hooks, managed scaling, draining, protection, Capacity Rebalancing, scaling policies, spot draining, CloudTrail. Exit 1 when one fails.')
    .option('--aws', 'check the real account (credentials from the usual SDK chain); default: the simulated demo cluster')
    .option('--region <region>', 'with --aws: the AWS region')
    .option('--stage <stage>', `with --aws: the deployed stage whose stack it looks for (default ${DEFAULT_STAGE}, as \`osls deploy\` without --stage)`)
    .option('--json', 'print the checks as JSON')
    .option('--wide', 'one line per check, never wrapped to the terminal width')
    .exitOverride()
    .action(async (options: { aws?: boolean; region?: string; stage?: string; json?: boolean; wide?: boolean }) => {
      const onlyAws = (['region', 'stage'] as const).find((k) => options[k] !== undefined);
      if (onlyAws && !options.aws) throw new CliError(`--${onlyAws} only makes sense with --aws`, EXIT.usage);
      const result = await doctor({ ...options, config: program.opts<{ config: string }>().config, configGiven: program.getOptionValueSource('config') === 'cli' });
      write(options.json ? doctorJson(result) : renderDoctor(result, options.wide ? undefined : io.columns));
      setExitCode(doctorExitCode(result));
    });

  return program;
}

/** Runs the CLI and returns its exit code (never calls process.exit itself). */
const stdio: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  ...(process.stdout.isTTY ? { progress: (label: string) => terminalProgress(label) } : {}),
};

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  quietSdkNodeWarning();
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`ecs-pilot: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof ValidationError) {
      io.err(`ecs-pilot: ${e.message}`);
      return EXIT.rejected;
    }
    if (e instanceof AwsCommandError) {
      // The failure with what the command used: the cluster, Region and account it looked in, and whence each.
      const missing = e.context.missing.length > 0 ? `; ECS has no cluster ${e.context.missing.join(', ')} there: check clusters[].name in the config, and the region` : '';
      io.err(`ecs-pilot: ${describeAwsError(e.cause) ?? e.message} (while using ${describeContext(e.context)}${missing})`);
      return EXIT.rejected;
    }
    const aws = describeAwsError(e);
    if (aws) {
      io.err(`ecs-pilot: ${aws}`);
      return EXIT.rejected;
    }
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (e instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      io.err(`ecs-pilot: ${e.message}`);
      return EXIT.rejected;
    }
    io.err(`ecs-pilot: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.rejected;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /main\.(ts|js|mjs|cjs)$|ecs-pilot(\.mjs)?$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
