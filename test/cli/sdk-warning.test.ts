/**
 * No 7-line SDK "NodeVersionSupportWarning" on `--aws` commands (issue 24): ecs-pilot supports Node
 * 20.19, and the SDK's documented switch (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true,
 * https://github.com/aws/aws-sdk-js-v3/issues/7983) is set unless the operator set it.
 */
import { quietSdkNodeWarning } from '../../src/config/load.js';
import { mockAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';

const VAR = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

describe('The SDK\'s Node version warning', () => {
  it('is turned off, unless the operator chose otherwise', () => {
    const env: NodeJS.ProcessEnv = {};
    quietSdkNodeWarning(env);
    expect(env[VAR]).toBe('true');
    const chosen: NodeJS.ProcessEnv = { [VAR]: 'false' };
    quietSdkNodeWarning(chosen);
    expect(chosen[VAR]).toBe('false');
  });

  it('is not printed by an --aws command', async () => {
    const saved = process.env[VAR];
    delete process.env[VAR]; // test/setup.ts sets it for every test
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const aws = mockAws();
    try {
      const r = await runCli('snapshot', '--aws', '--cluster', 'demo');
      expect(r.code).toBe(0);
      expect(warn.mock.calls.filter((c) => String(c[0]).includes('NodeVersionSupportWarning'))).toEqual([]);
    } finally {
      aws.restore();
      warn.mockRestore();
      process.env[VAR] = saved;
    }
  });
});
