import { readFileSync } from 'node:fs';
import { ThorsHammerError } from '../../../runtime/errors.js';
import type { ResolvedRequestName } from '../../../runtime/oci/names.js';
import { type FieldAssignment, OciRequestBuildError, buildRequest, parseCliAssignment, prepareRequestType } from '../../../runtime/oci/request-builder.js';
import type { OciSchema } from '../../../runtime/oci/schema.js';
import type { OciCommand } from '../../../runtime/oci/values.js';
import { readInput } from '../../output.js';

/**
 * The request arguments shared by `oci send` and `oci encode`: a request name, `--json FILE|-`
 * and HTTPie-style fields, turned into a command by the runtime's request builder.
 */

/** Bad command-line input for an OCI-P command (TH_ERR_OCI_CLI_INPUT). */
export class OciCliInputError extends ThorsHammerError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('TH_ERR_OCI_CLI_INPUT', message, { context });
  }
}

/** Reads a file named by an option, or stdin for `-`. */
export async function readOptionFile(path: string, option: string): Promise<string> {
  if (path === '-') return (await readInput('the JSON fields')).toString('utf8');
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new OciCliInputError(`cannot read ${option} ${path}: ${(error as Error).message}`, { path });
  }
}

/** The fields of a `--json` object as assignments (its top-level keys; `$type` is ignored: the command names the type). */
export async function jsonFieldAssignments(path: string): Promise<FieldAssignment[]> {
  const text = await readOptionFile(path, '--json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OciCliInputError(`--json ${path} is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`, { path });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OciCliInputError(`--json ${path} must hold a JSON object of command fields`, { path });
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([key]) => key !== '$type')
    .map(([key, v]) => ({ path: key, value: { kind: 'json', value: v }, source: `--json ${key}` }));
}

/** One line on stderr when a deprecated class is sent while the release has a newer one. */
export function deprecationNotice(resolved: ResolvedRequestName, release: string): string | undefined {
  if (!resolved.deprecated || !resolved.newer) return undefined;
  return `hammer: note: ${resolved.type} is deprecated in ${release}; its newest version is ${resolved.newer} (or write ${resolved.family}@latest)\n`;
}

/**
 * Builds the request named on the command line from `--json` and field arguments (fields given
 * on the command line win over the same top-level key of `--json`). Prints the deprecation
 * notice; throws OciRequestBuildError listing every problem.
 */
export async function requestFromArgs(
  schema: OciSchema,
  name: string,
  options: { json?: string; fields?: readonly string[]; validate?: boolean },
): Promise<{ command: OciCommand; resolved: ResolvedRequestName }> {
  const resolved = await prepareRequestType(schema, name);
  const notice = deprecationNotice(resolved, schema.release);
  if (notice) process.stderr.write(notice);
  const fromArgs = (options.fields ?? []).map(parseCliAssignment);
  const overridden = new Set(fromArgs.map((a) => a.path.split(/[.[]/)[0]));
  const fromJson = options.json === undefined ? [] : (await jsonFieldAssignments(options.json)).filter((a) => !overridden.has(a.path));
  const { command, issues } = buildRequest(schema, resolved.type, [...fromJson, ...fromArgs], { validate: options.validate });
  // On the command line nil is written key:=null (key=null is the text "null").
  for (const issue of issues) issue.message = issue.message.replace('use null (xsi:nil) to clear a value', `use ${issue.path}:=null to clear it (xsi:nil)`);
  if (issues.length > 0) throw new OciRequestBuildError(resolved.type, issues);
  return { command, resolved };
}
