#!/usr/bin/env node
// The `ecs-pilot` command: runs the TypeScript CLI through tsx (src/cli/main.ts runs itself when
// invoked as ecs-pilot). Same as `npm run ecs-pilot -- <args>`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
