import { DUTY_NAMES } from '../../src/config/schema.js';
import { parseConfig } from '../../src/config/load.js';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

describe('Shadow mode per duty', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('a duty in shadow decides and records, and sends no write call', async () => {
    // Act
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'), { config: demoConfig({ shadow: ['spot'] }) });
    // Assess
    expect(record.outcome).toBe('acted');
    expect(record.dryRun).toBe(true);
    expect(record.actions.map((a) => a.kind)).toEqual(expect.arrayContaining(['drain', 'setDesiredCapacity']));
    expect(aws.writes()).toEqual([]);
  });

  it('the other duties still act', async () => {
    // Act
    const record = await invoke(DUTIES.lifecycle, event('events/demo/04-terminate-lifecycle-action.json'), { config: demoConfig({ shadow: ['spot', 'capacity'] }) });
    // Assess
    expect(record.dryRun).toBe(false);
    expect(aws.writes().length).toBeGreaterThan(0);
  });

  it('names every duty, and rejects an unknown one with its path', () => {
    expect([...DUTY_NAMES].sort()).toEqual(Object.values(DUTIES).map((d) => d.name).sort());
    expect(() => parseConfig({ shadow: ['spot-drain'], clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'a' }] }] })).toThrow(/shadow\[0\]/);
  });
});
