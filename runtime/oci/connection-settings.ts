// The connection settings a person gives (hammer's flags, a Web CLI profile) and their one mapping
// onto the client's options, so that the CLI and the Web CLI cannot drift apart.
import type { OciClientOptions } from './client.js';
import type { LoginStrategy } from './client/login.js';

export interface OciConnectionSettings {
  /** `tcp://host:2208`, `tls://host:2209` or `https://host/webservice/services/ProvisioningService`. */
  url: string;
  userId: string;
  password: string;
  release?: string;
  login?: LoginStrategy;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
  /** PEM text of the CA certificate(s) to trust (not a file name: reading files is the caller's business). */
  ca?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Allow `plain22V5` over an unencrypted transport. */
  allowPlainPassword?: boolean;
}

/** The client (or pool) options for these settings; the caller adds its own (schema, logger, pool size, …). */
export function clientOptionsFor(settings: OciConnectionSettings): OciClientOptions {
  return {
    url: settings.url,
    userId: settings.userId,
    password: settings.password,
    release: settings.release,
    login: settings.login ?? 'auto',
    allowPlainPasswordOverInsecure: settings.allowPlainPassword === true,
    allowInsecureTls: settings.insecure === true,
    tls: settings.ca ? { ca: settings.ca } : undefined,
    requestTimeoutMs: settings.requestTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
  };
}
