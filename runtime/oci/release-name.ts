import { OciReleaseNameError } from './errors.js';

/**
 * A release name is one folder name under `generated/oci/` (`R25`, `R24sp1`, `R26-beta`): letters,
 * digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters. Anything else
 * (`../../etc`, `R25/x`, an absolute path) is refused before a path is built from it.
 */
const RELEASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when `name` is a well-formed release name. */
export function isReleaseName(name: unknown): name is string {
  return typeof name === 'string' && RELEASE_NAME.test(name) && !name.includes('..');
}

/** Throws {@link OciReleaseNameError} (TH_ERR_OCI_RELEASE_NAME) unless `name` is a well-formed release name. */
export function assertReleaseName(name: unknown): asserts name is string {
  if (!isReleaseName(name)) throw new OciReleaseNameError(String(name));
}
