import { ThorsHammerError } from '../errors.js';

/**
 * Errors of the OCI-P codec, validator and schema loader. Each has a stable `code`; the
 * message is one clear line and `context` carries the structured details.
 */

/** Malformed XML, or XML that does not fit the schema (unknown or misplaced element). */
export class OciDecodeError extends ThorsHammerError {
  /** Character offset in the decoded text where the problem was found (-1 when unknown). */
  readonly offset: number;
  /** Element path such as `UserGetResponse23V2.address`, when known. */
  readonly path?: string;
  constructor(message: string, context: { offset?: number; path?: string; [key: string]: unknown } = {}) {
    super('TH_ERR_OCI_DECODE', message, { context });
    this.offset = context.offset ?? -1;
    this.path = context.path;
  }
}

/** A type name (xsi:type, `$type`, CLI argument) that the release does not define. */
export class OciUnknownTypeError extends ThorsHammerError {
  readonly typeName: string;
  /** Names the caller may have meant (nearest names, the family's newest class); may be empty. */
  readonly suggestions: string[];
  constructor(typeName: string, release: string, detail?: string, options: { suggestions?: readonly string[] } = {}) {
    const suggestions = [...(options.suggestions ?? [])];
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '';
    super('TH_ERR_OCI_UNKNOWN_TYPE', `unknown OCI-P type '${typeName}' in release ${release}${detail ? ` (${detail})` : ''}${hint}`, {
      context: { typeName, release, suggestions },
    });
    this.typeName = typeName;
    this.suggestions = suggestions;
  }
}

/** A type that exists in the release index but whose generated module has not been loaded yet. */
export class OciTypeNotLoadedError extends ThorsHammerError {
  readonly typeKey: string;
  constructor(typeKey: string, release: string) {
    super(
      'TH_ERR_OCI_TYPE_NOT_LOADED',
      `OCI-P type '${typeKey}' of release ${release} is not loaded yet: call schema.ensure('${typeKey}') (or ensureAll()) first`,
      { context: { typeKey, release } },
    );
    this.typeKey = typeKey;
  }
}

/** One problem found by the validator. */
export interface OciIssue {
  /** Dotted path from the command type, e.g. `UserAddRequest17sp4.address.city` or `…phoneNumber[1]`. */
  path: string;
  /** What is wrong, without the path, e.g. `longer than 80`. */
  message: string;
}

/** A value that breaks the schema (missing member, facet, enumeration, occurrence, choice…). */
export class OciValidationError extends ThorsHammerError {
  /** Path of the first issue. */
  readonly path: string;
  /** Every issue found, in document order. */
  readonly issues: OciIssue[];
  constructor(issues: OciIssue[]) {
    const first = issues[0] ?? { path: '', message: 'invalid' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super('TH_ERR_OCI_VALIDATION', `${first.path}: ${first.message}${more}`, { context: { issues } });
    this.path = first.path;
    this.issues = issues;
  }
}

/** A DOCTYPE or entity declaration: refused, never expanded. */
export class OciHostileXmlError extends ThorsHammerError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('TH_ERR_OCI_HOSTILE_XML', message, { context: { offset } });
    this.offset = offset;
  }
}

/** A value the encoder cannot write (unknown key, wrong shape, command count, unencodable character). */
export class OciEncodeError extends ThorsHammerError {
  readonly path?: string;
  constructor(message: string, context: { path?: string; [key: string]: unknown } = {}) {
    super('TH_ERR_OCI_ENCODE', message, { context });
    this.path = context.path;
  }
}
