import { type FieldPath, fieldHint, fieldPaths } from '../../runtime/oci/field-paths.js';
import { resolveRequestName } from '../../runtime/oci/names.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { csvLine } from './csv.js';
import type { BulkPreset } from './presets.js';

/** The header (and optional hints row) of a bulk file for one request, family or preset. */
export interface BulkTemplate {
  /** The request type the columns belong to. */
  request: string;
  preset?: string;
  fields: FieldPath[];
  header: string[];
  /** The `--hints` row: one `#…` cell per column, skipped by the reader. */
  hints?: string[];
}

export async function bulkTemplate(
  schema: OciSchema,
  name: string,
  options: { presets: ReadonlyMap<string, BulkPreset>; all?: boolean; hints?: boolean },
): Promise<BulkTemplate> {
  const preset = options.presets.get(name);
  const { type } = resolveRequestName(schema, preset ? preset.request : name);
  await schema.ensure(type);
  // A preset's defaults need no column; its aliases are for reading other tools' files, not for writing.
  const defaults = new Set(Object.keys(preset?.defaults ?? {}));
  const fields = fieldPaths(schema, type, { all: options.all }).filter((f) => !defaults.has(f.path));
  return {
    request: type,
    preset: preset?.name,
    fields,
    header: fields.map((f) => f.path),
    hints: options.hints ? fields.map(fieldHint) : undefined,
  };
}

/** The template as CSV text. */
export function templateCsv(template: BulkTemplate): string {
  return `${[template.header, ...(template.hints ? [template.hints] : [])].map((r) => csvLine(r)).join('\r\n')}\r\n`;
}
