/**
 * `ecs-pilot validate [--config <file>] [--region <deploy region>]`: the checks `osls package` runs on
 * the config (src/config/packaging.ts: the schema, the deploy-time rules such as `passRoles`, the
 * deploy region against the config's), offline and in a second, before a deploy.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_DEPLOY_REGION, deployRegion, loadConfigForPackaging } from '../config/packaging.js';
import { ValidationError } from '../core/validation.js';
import { CliError, EXIT } from './errors.js';

export interface ValidateResult {
  config: string;
  region: { value: string; from: string };
  clusters: number;
  groups: number;
  jobs: number;
  scaledServices: number;
}

/** @throws ValidationError naming each field that stops a deploy (the CLI exits 1) */
export function validate(options: { config: string; configGiven: boolean; region?: string }): ValidateResult {
  if (!existsSync(options.config)) throw new CliError(`cannot read config ${options.config}: no such file${options.configGiven ? '' : ' (--config <file>)'}`, EXIT.rejected);
  let config: ReturnType<typeof loadConfigForPackaging>;
  try {
    config = loadConfigForPackaging(options.config, { region: options.region });
  } catch (e) {
    if (e instanceof ValidationError) throw new CliError(`${options.config}: ${e.message}`, EXIT.rejected, { cause: e });
    throw e;
  }
  const region = deployRegion(options.region, config);
  const from = options.region ? '--region, as `osls deploy --region` would get it' : config.region ? `region: in ${options.config}` : `neither --region nor region: in the config: serverless.yml's default ${DEFAULT_DEPLOY_REGION}`;
  return {
    config: options.config,
    region: { value: region, from },
    clusters: config.clusters.length,
    groups: config.clusters.reduce((n, c) => n + c.groups.length, 0),
    jobs: config.jobs.length,
    scaledServices: config.serviceScaling.length,
  };
}

export function renderValidate(r: ValidateResult): string {
  return [
    `${r.config}: valid, and deployable as osls package checks it (the schema, passRoles on every job, the deploy region).`,
    `  ${r.clusters} cluster(s), ${r.groups} group(s), ${r.jobs} job(s), ${r.scaledServices} scaled service(s)`,
    `  deploy region: ${r.region.value} (${r.region.from})`,
    '  next: ecs-pilot doctor --aws, then osls deploy --param="config=<path>" (docs/deploy.md)',
  ].join('\n');
}
