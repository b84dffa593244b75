import { readFileSync } from 'node:fs';
import { parseSnapshot, ValidationError, type Snapshot } from '../core/model.js';
import { CliError, EXIT } from './errors.js';

/** Reads and parses a JSON file; a missing or malformed file is rejected input (exit 1). */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : String(e)}`, EXIT.rejected, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} ${path} is not valid JSON: ${(e as Error).message}`, EXIT.rejected, { cause: e });
  }
}

/** Loads a snapshot v1 file; validation errors name each bad field's JSON path. */
export function loadSnapshot(path: string): Snapshot {
  const doc = readJsonFile(path, 'snapshot');
  try {
    return parseSnapshot(doc);
  } catch (e) {
    if (e instanceof ValidationError) throw new CliError(`${path}: ${e.message}`, EXIT.rejected, { cause: e });
    throw e;
  }
}
