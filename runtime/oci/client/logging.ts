/**
 * Structured logging for the OCI-P client. The caller injects any object with optional
 * `debug`/`info`/`warn`/`error` methods (console, pino, a test spy); every message goes
 * through {@link ClientLog}, which redacts secrets first, so no password or signed password
 * ever reaches a log sink, whatever a lower layer (the requester) chooses to log.
 */

/** What the client logs through: each method receives a message and a plain data object. */
export interface OciLogger {
  debug?(message: string, data?: object): void;
  info?(message: string, data?: object): void;
  warn?(message: string, data?: object): void;
  error?(message: string, data?: object): void;
}

/**
 * Element / property names whose values are always replaced by {@link REDACTED}: every element
 * of the R24/R25 schemas that holds a password, passcode or shared secret (test/webcli/oci-secrets.test.ts
 * checks this list against the XSDs). Flags and counts named after passwords (`hasPassword`,
 * `useCustomUserNamePassword`, `passwordExpiresDays`) are not secrets and are not listed.
 */
export const SECRET_FIELDS: readonly string[] = [
  'password',
  'signedPassword',
  'plainTextPassword',
  'newPassword',
  'oldPassword',
  'OldSipAuthenticationPassword',
  'authenticationPassword',
  'sipAuthenticationPassword',
  'newSipAuthenticationPassword',
  'userSIPAuthenticationPassword',
  'accessDeviceAuthenticationPassword',
  'accessDeviceUserPassword',
  'trunkGroupAuthenticationPassword',
  'userPassword',
  'defaultPassword',
  'groupAdministratorPassword',
  'serviceProviderAdministratorPassword',
  'systemAdministratorPassword',
  'groupMailServerPassword',
  'personalMailServerPassword',
  'impPassword',
  'fileRepositoryPassword',
  'ftpUserPassword',
  'remotePassword',
  'mobilityManagerProvisioningPassword',
  'provisioningPassword',
  'passcode',
  'newPasscode',
  'oldPasscode',
  'defaultPasscode',
  'userPasscode',
  'sharedSecret',
  'secretKey',
];

export const REDACTED = '***';

/** Secret values remembered for masking by value (the password plus recent signed passwords). */
const MAX_SECRET_VALUES = 32;

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The secret elements of `fields` and their content, plain or in the escaped form
 * (`&lt;password&gt;…`) found inside SOAP envelopes. A CDATA section is one unit of the
 * content, so a `</password>` inside it does not end the element.
 */
function secretElementPattern(fields: readonly string[]): RegExp {
  const names = fields.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(`(<|&lt;)(${names})((?:\\s[^>]*?)?)(>|&gt;)((?:<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|[\\s\\S])*?)(<|&lt;)/\\2(>|&gt;)`, 'g');
}

const SECRET_ELEMENT = secretElementPattern(SECRET_FIELDS);

/** Replaces the content of secret elements in an XML text: `<password>x</password>` → `<password>***</password>` (or `mask`). */
export function redactXml(text: string, fields: readonly string[] = SECRET_FIELDS, mask: string = REDACTED): string {
  if (fields.length === 0) return text;
  const element = fields === SECRET_FIELDS ? SECRET_ELEMENT : secretElementPattern(fields);
  return text.replace(element, (_m, lt, name, attrs, gt, _value, lt2, gt2) => `${lt}${name}${attrs}${gt}${mask}${lt2}/${name}${gt2}`);
}

/**
 * Redacting front of an injected logger. Secrets are removed by field name (objects and XML
 * text) and by value (the configured password and every signed password derived during login).
 */
export class ClientLog {
  private readonly secretValues = new Set<string>();
  private readonly fields: readonly string[];
  private readonly fieldSet: ReadonlySet<string>;

  constructor(
    private readonly logger: OciLogger | undefined,
    extraFields: readonly string[] = [],
  ) {
    // The schema list itself when nothing is added: redactXml keeps its pattern compiled.
    this.fields = extraFields.length === 0 ? SECRET_FIELDS : [...SECRET_FIELDS, ...extraFields];
    this.fieldSet = new Set(this.fields);
  }

  /** Registers a secret value (a password, a signed password) to be masked wherever it appears. */
  addSecret(value: string | undefined): void {
    // Very short values would mask innocent text; they are still covered by field-name redaction.
    if (!value || value.length < 3 || this.secretValues.has(value)) return;
    this.secretValues.add(value);
    // A long-lived client logs in many times: keep the password and the recent signed passwords only.
    if (this.secretValues.size > MAX_SECRET_VALUES) {
      const [, oldestSigned] = this.secretValues; // the first value is the configured password: keep it
      this.secretValues.delete(oldestSigned as string);
    }
  }

  get enabled(): boolean {
    return this.logger !== undefined;
  }

  debug(message: string, data?: object): void {
    this.write('debug', message, data);
  }
  info(message: string, data?: object): void {
    this.write('info', message, data);
  }
  warn(message: string, data?: object): void {
    this.write('warn', message, data);
  }
  error(message: string, data?: object): void {
    this.write('error', message, data);
  }

  /** A logger for lower layers (the requester) that goes through the same redaction. */
  asLogger(): Required<OciLogger> {
    return {
      debug: (m, d) => this.debug(m, d),
      info: (m, d) => this.info(m, d),
      warn: (m, d) => this.warn(m, d),
      error: (m, d) => this.error(m, d),
    };
  }

  /** Returns a deep copy of `value` with secret fields and secret values masked. */
  redact<T>(value: T): T {
    return this.redactValue(value, 0) as T;
  }

  private write(level: Level, message: string, data?: object): void {
    const sink = this.logger?.[level];
    if (!sink) return;
    try {
      sink.call(this.logger, this.redactString(message), data === undefined ? undefined : (this.redactValue(data, 0) as object));
    } catch {
      // A failing logger must never break a command.
    }
  }

  private redactString(text: string): string {
    let out = redactXml(text, this.fields);
    for (const secret of this.secretValues) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  private redactValue(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object' || depth > 12) return value;
    if (value instanceof Error) {
      return { name: value.name, message: this.redactString(value.message), code: (value as { code?: unknown }).code };
    }
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = this.fieldSet.has(key) && v !== null && v !== undefined ? REDACTED : this.redactValue(v, depth + 1);
    }
    return out;
  }
}
