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

/**
 * Reads and validates the config for packaging.
 * @throws ValidationError naming each bad field, as the CLI would, and the deploy-time ones
 */
export function loadConfigForPackaging(path: string): ControllerConfig {
  const config = loadConfigFile(path);
  const issues = deploymentIssues(parseYaml(readFileSync(path, 'utf8')));
  if (issues.length > 0) throw new ValidationError('config', issues);
  return config;
}
