import { readFileSync } from 'node:fs';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { loadConfigFile, parseConfig, runtimeSettings } from '../../src/config/load.js';
import type { ValidationError } from '../../src/core/model.js';

const valid = () => ({ clusters: [{ name: 'prod', groups: [{ name: 'spot', asg: 'asg-spot', fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }] }] });

function issues(doc: unknown): string[] {
  try {
    parseConfig(doc);
    return [];
  } catch (e) {
    return (e as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('Function: parseConfig', () => {
  it('applies defaults', () => {
    const c = parseConfig(valid());
    expect(c.dryRun).toBe(false);
    expect(c.clusters[0]!.groups[0]).toEqual(expect.objectContaining({ rebalance: 'drain', drainTimeoutSeconds: 900, scaleInDelaySeconds: 300, lifecycleHookName: 'ecs-pilot-drain' }));
  });

  it.each([
    ['an unknown field', (d: any) => (d.clusters[0].groups[0].drainTimeout = 5), '$.clusters[0].groups[0]: Unrecognized key: "drainTimeout"'],
    ['a bad enum', (d: any) => (d.clusters[0].groups[0].rebalance = 'sometimes'), '$.clusters[0].groups[0].rebalance'],
    ['a fallback that is not a group', (d: any) => (d.clusters[0].groups[0].fallbackGroup = 'nope'), '$.clusters[0].groups[0].fallbackGroup: fallbackGroup "nope" must name another group of cluster prod'],
    ['an ASG configured twice', (d: any) => (d.clusters[0].groups[1].asg = 'asg-spot'), '$.clusters[0].groups[1].asg: ASG "asg-spot" is configured twice'],
    ['no clusters', (d: any) => (d.clusters = []), '$.clusters'],
    ['onDemandFallback on an on-demand group', (d: any) => (d.clusters[0].groups[1].onDemandFallback = true), '$.clusters[0].groups[1].onDemandFallback: onDemandFallback applies to spot groups (lifecycle: spot) with a mixed instances policy'],
    ['instanceRole without onDemandFallback', (d: any) => (d.clusters[0].groups[0].instanceRole = 'arn:aws:iam::123456789012:role/ecs-instance'), '$.clusters[0].groups[0].instanceRole: instanceRole is used only with onDemandFallback'],
    ['onDemandFallback not a boolean', (d: any) => (d.clusters[0].groups[0].onDemandFallback = 'yes'), '$.clusters[0].groups[0].onDemandFallback'],
    ['a negative delay', (d: any) => (d.clusters[0].groups[1].scaleInDelaySeconds = -1), '$.clusters[0].groups[1].scaleInDelaySeconds'],
  ])('rejects %s with the field path', (_name, mutate, expected) => {
    const d = valid();
    mutate(d);
    expect(issues(d).join('\n')).toContain(expected);
  });

  it('loads the example config', () => {
    expect(loadConfigFile('ecs-pilot.yml').clusters[0]!.name).toBe('demo');
  });

  it('reports a YAML syntax error with its line', () => {
    expect(() => loadConfigFile('test/fixtures/broken.yml')).toThrow(/not valid YAML \(line 4\)/);
  });

  it('reads its file and dry-run override from the environment only through runtimeSettings', () => {
    expect(runtimeSettings({ ECS_PILOT_CONFIG: '/var/task/x.yml', ECS_PILOT_DRY_RUN: 'true', ECS_PILOT_STATE_TABLE: 'ecs-pilot-state' })).toEqual({
      configFile: '/var/task/x.yml',
      dryRunOverride: true,
      stateTable: 'ecs-pilot-state',
    });
    expect(runtimeSettings({})).toEqual({ configFile: 'ecs-pilot.yml', dryRunOverride: false, stateTable: undefined });
  });

  it('ships an up-to-date JSON Schema (npm run config:schema)', () => {
    expect(JSON.parse(readFileSync('docs/ecs-pilot.schema.json', 'utf8'))).toEqual(configJsonSchema());
  });
});

describe('Config: jobs', () => {
  const withJob = (job: Record<string, unknown>) => ({
    clusters: [{ name: 'prod', groups: [{ name: 'spot', asg: 'asg-spot' }, { name: 'od', asg: 'asg-od' }] }],
    jobs: [{ name: 'report', schedule: 'cron(0 2 * * ? *)', cluster: 'prod', taskDefinition: 'report', capacityProviders: ['spot', 'od'], ...job }],
  });

  it('applies defaults', () => {
    const job = parseConfig(withJob({})).jobs[0]!;
    expect(job).toEqual(expect.objectContaining({ timezone: 'UTC', count: 1, concurrencyPolicy: 'Allow', suspend: false }));
    expect(job.retryStrategy).toEqual({ attempts: 1, evaluateOnExit: [], backoffSeconds: 0, spotFallback: true });
  });

  it.each([
    ['an unknown field', { retries: 3 }, '$.jobs[0]: Unrecognized key: "retries"'],
    ['a bad cron', { schedule: 'cron(0 2 * * *)' }, '$.jobs[0].schedule: cron needs 6 fields'],
    ['attempts 0', { retryStrategy: { attempts: 0 } }, '$.jobs[0].retryStrategy.attempts'],
    ['an unknown time zone', { timezone: 'Europe/Atlantis' }, '$.jobs[0].timezone: unknown time zone "Europe/Atlantis"'],
    ['an unknown cluster', { cluster: 'staging' }, '$.jobs[0].cluster: cluster "staging" is not configured'],
    ['a provider that is no group', { capacityProviders: ['spot', 'FARGATE'] }, '$.jobs[0].capacityProviders[1]: capacity provider "FARGATE" is not a group of cluster prod'],
    ['a rule that matches nothing', { retryStrategy: { evaluateOnExit: [{ action: 'RETRY' }] } }, '$.jobs[0].retryStrategy.evaluateOnExit[0]: a rule needs onExitCode, onStopCode or onReason'],
    ['a bad exit code pattern', { retryStrategy: { evaluateOnExit: [{ onExitCode: '1x', action: 'EXIT' }] } }, '$.jobs[0].retryStrategy.evaluateOnExit[0].onExitCode'],
  ])('rejects %s with the field path', (_name, job, expected) => {
    expect(issues(withJob(job)).join('\n')).toContain(expected);
  });
});
