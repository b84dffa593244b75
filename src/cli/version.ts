/** The version `ecs-pilot --version` prints and the reports show: package.json's. */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
