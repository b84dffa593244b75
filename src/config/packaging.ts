/**
 * The config as `osls package` sees it: the CLI's schema and messages (`loadConfigFile`), plus what
 * only a deployment needs. serverless/config.cjs bundles this file with esbuild at package time.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type FieldIssue, ValidationError } from '../core/validation.js';
import { loadConfigFile } from './load.js';
import type { ControllerConfig } from './schema.js';

/**
 * Deploy-time rules on the raw document: every job names the roles its task definition passes
 * (`passRoles`, `[]` when it has none), so that iam:PassRole is granted on those roles only.
 */
function deploymentIssues(doc: unknown): FieldIssue[] {
  const jobs = (doc as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.flatMap((job, i) =>
    typeof job === 'object' && job !== null && !('passRoles' in job)
      ? [{ path: `$.jobs[${i}].passRoles`, message: 'required to deploy: the ARNs of the task role and execution role of the job\'s task definition ([] if it has none)' }]
      : [],
  );
}

/** Where the stack goes when neither `--region` nor the config's `region` says (serverless.yml's old default). */
export const DEFAULT_DEPLOY_REGION = 'us-east-1';

/**
 * The Region the stack is deployed to: `--region`, else the config's `region`, else us-east-1. The
 * EventBridge rules of a stack see only their own Region's events, so a stack in another Region than
 * the clusters would never see a spot warning while its reconcile still scaled them: refused.
 * @throws ValidationError naming both Regions
 */
export function deployRegion(flag: string | undefined, config: Pick<ControllerConfig, 'region'>): string {
  if (flag && config.region && flag !== config.region) {
    throw new ValidationError('config', [
      {
        path: '$.region',
        message: `the deploy region ${flag} (--region) differs from the config's region ${config.region}: the stack's EventBridge rules would live in ${flag} and never see ${config.region}'s spot warnings, lifecycle hooks or task events, while its reconcile still scaled ${config.region}'s groups. Deploy with --region ${config.region} (or without --region), or change region: in the config`,
      },
    ]);
  }
  return flag || config.region || DEFAULT_DEPLOY_REGION;
}

/**
 * Reads and validates the config for packaging; with `region` (the deploy region given), checks it
 * against the config's own.
 * @throws ValidationError naming each bad field, as the CLI would, and the deploy-time ones
 */
export function loadConfigForPackaging(path: string, options: { region?: string | undefined } = {}): ControllerConfig {
  const config = loadConfigFile(path);
  const issues = deploymentIssues(parseYaml(readFileSync(path, 'utf8')));
  if (issues.length > 0) throw new ValidationError('config', issues);
  deployRegion(options.region, config);
  return config;
}
