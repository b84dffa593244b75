import { readFileSync } from 'node:fs';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { loadConfigFile, parseConfig, runtimeSettings } from '../../src/config/load.js';
import { ValidationError } from '../../src/core/model.js';

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
    expect(runtimeSettings({ ECS_PILOT_CONFIG: '/var/task/x.yml', ECS_PILOT_DRY_RUN: 'true' })).toEqual({ configFile: '/var/task/x.yml', dryRunOverride: true });
    expect(runtimeSettings({})).toEqual({ configFile: 'ecs-pilot.yml', dryRunOverride: false });
  });

  it('ships an up-to-date JSON Schema (npm run config:schema)', () => {
    expect(JSON.parse(readFileSync('docs/ecs-pilot.schema.json', 'utf8'))).toEqual(configJsonSchema());
  });
});
