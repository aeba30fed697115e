import { WebOciProfileError } from '../errors.js';

/** How a handler's configured entries (OCI-P profiles, vBoxes) are named in its messages. */
export interface NamedEntryWords {
  /** One entry, e.g. `OCI-P profile`. */
  noun: string;
  /** The config key of the entries, e.g. `profiles`. */
  plural: string;
  /** The config key of the default entry, e.g. `defaultProfile`. */
  defaultKey: string;
  /** The command option that names an entry, e.g. `profile`. */
  option: string;
  /** The whole message when nothing is configured (how to configure one). */
  noneConfigured: string;
}

/** The entry a command means: the one it names, else the configured default, else the only one (TH_ERR_WEB_OCI_PROFILE otherwise). */
export function pickNamed<T>(
  entries: Record<string, T> | undefined,
  wanted: string | null,
  defaultName: string | undefined,
  words: NamedEntryWords,
): { name: string; entry: T } {
  const all = entries ?? {};
  const names = Object.keys(all);
  const name = wanted ?? defaultName ?? (names.length === 1 ? names[0] : undefined);
  if (!name) {
    throw new WebOciProfileError(
      names.length === 0 ? words.noneConfigured : `several ${words.plural} and no ${words.defaultKey}: give --${words.option} (${names.join(', ')})`,
    );
  }
  const entry = all[name];
  if (!entry) throw new WebOciProfileError(`no ${words.noun} named ${name}${names.length ? ` (${words.plural}: ${names.join(', ')})` : ''}`);
  return { name, entry };
}
