/**
 * Validation errors with the JSON path of each bad field: shared by the snapshot model and the
 * controller config. A leaf: it imports nothing from src, so config can use it without the core.
 */
import type { z } from 'zod';

/** One rejected field: `path` is a JSON path such as `$.instances[3].type`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A document failed validation; `issues` names every bad field. */
export class ValidationError extends Error {
  public readonly issues: FieldIssue[];
  public constructor(what: string, issues: FieldIssue[], options?: { cause?: unknown }) {
    super(`${what} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** `['instances', 3, 'type']` → `$.instances[3].type` */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Converts zod's issues into field issues with JSON paths. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }));
}

