import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { DUTY_NAMES } from '../../src/core/config-schema.js';
import { DUTIES } from '../../src/duties/index.js';

describe('Duty names: one spelling for the function, the decision record and `shadow`', () => {
  const doc = () => parse(readFileSync('ecs-pilot.yml', 'utf8')) as Record<string, unknown>;

  it('every duty is named as its function is', () => {
    for (const [key, duty] of Object.entries(DUTIES)) expect(duty.name).toBe(key);
    expect([...DUTY_NAMES].sort()).toEqual(Object.keys(DUTIES).sort());
  });

  it('shadow takes the duty names, and the names it took before as their duty', () => {
    expect(parseConfig({ ...doc(), shadow: ['spot', 'scaling'] }).shadow).toEqual(['spot', 'scaling']);
    expect(parseConfig({ ...doc(), shadow: ['spot-interruption', 'rebalance-recommendation', 'service-scaling'] }).shadow).toEqual(['spot', 'rebalance', 'scaling']);
  });

  it('rejects an unknown duty with its path', () => {
    expect(() => parseConfig({ ...doc(), shadow: ['spotty'] })).toThrow(/\$\.shadow\[0\]/);
  });
});
