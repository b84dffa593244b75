#!/usr/bin/env node
/** `ecs-pilot` command line. Exit 0 on success, 1 when input or config is rejected, 2 on usage errors. */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { runPlanCommand } from './plan-command.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function buildProgram(io: CliIo): Command {
  const write = io.out;
  const program = new Command();
  // Set before the subcommands are added: they inherit it.
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program
    .name('ecs-pilot')
    .description('Event-driven controller for Amazon ECS on EC2: plan capacity, replay events, simulate.')
    .option('--config <file>', 'controller config', './ecs-pilot.yml')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('plan')
    .description('Plan capacity for a cluster snapshot (format v1): where waiting tasks go, how many instances to add.')
    .argument('<snapshot>', 'snapshot JSON file (docs/snapshot-format.md)')
    .option('--json', 'print the plan as JSON')
    .exitOverride()
    .action((file: string, options: { json?: boolean }) => runPlanCommand(file, options, write));

  return program;
}

/** Runs the CLI and returns its exit code (never calls process.exit itself). */
const stdio: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`ecs-pilot: ${e.message}`);
      return e.exitCode;
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
