import { holdsInstance, needsNewHome, TaskSchema } from '../../src/core/model.js';
import { serviceGroup, serviceOfGroup } from '../../src/core/names.js';

const task = (lastStatus: string | undefined, daemon = false) => TaskSchema.parse({ id: 't', ...(lastStatus ? { lastStatus } : {}), daemon });

describe('Function: holdsInstance / needsNewHome (one definition each)', () => {
  it.each([
    ['PROVISIONING', true, true],
    ['PENDING', true, true],
    ['ACTIVATING', true, true],
    ['RUNNING', true, true],
    [undefined, true, true],
    ['DEACTIVATING', true, false],
    ['STOPPING', true, false],
    ['DEPROVISIONING', true, false],
    ['STOPPED', false, false],
  ])('%s: holds its instance %s, needs a new home %s', (status, holds, needs) => {
    expect(holdsInstance(task(status))).toBe(holds);
    expect(needsNewHome(task(status))).toBe(needs);
  });

  it('a daemon task neither holds its instance nor needs a new home', () => {
    expect(holdsInstance(task('RUNNING', true))).toBe(false);
    expect(needsNewHome(task('RUNNING', true))).toBe(false);
  });

  it('service groups', () => {
    expect(serviceGroup('web')).toBe('service:web');
    expect(serviceOfGroup('service:web')).toBe('web');
    expect(serviceOfGroup('family:web')).toBeUndefined();
  });
});
