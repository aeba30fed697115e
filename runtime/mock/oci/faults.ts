/**
 * Fault injection for the mock OCI-P server. `server.faults` is a plain mutable object:
 * tests set a field and the next response(s) misbehave. A switch is `true` (every response
 * until switched off), `false`, or `{ times: n }` (the next n responses, then off by itself),
 * so tests stay deterministic.
 */
export type FaultSwitch = boolean | { times: number };

/** The SOAP faults the mock can simulate (oci-protocol.md §4.9). */
export type SoapFaultName = 'NO_OCS_CONNECTION' | 'INVALID_REQUEST';

export interface OciMockFaults {
  /** Delay before every response, in ms (or `{ ms, times }` for the next n responses). */
  latencyMs: number | { ms: number; times: number };
  /** Write about half of the response bytes, then destroy the connection (the command was executed). */
  dropConnectionMidResponse: FaultSwitch;
  /** Answer with bytes that are not well-formed XML (still ending in `</BroadsoftDocument>\n`, so framing holds). */
  garbleNextResponse: FaultSwitch;
  /** Read the request but never answer it (the command is counted as received but not executed). */
  silence: FaultSwitch;
  /**
   * After this many commands answered on a logged-in TCP/TLS session, push an unsolicited
   * `LogoutRequest` (reason `Open Client Server Forced Logout`) and end the session. `null` = off.
   */
  logoutAfter: number | null;
  /** SOAP only: answer every request with this Fault (HTTP 500), or `{ fault, times }`. `null` = off. */
  soapFault: SoapFaultName | { fault: SoapFaultName; times: number } | null;
}

/** All faults off. */
export function noFaults(): OciMockFaults {
  return { latencyMs: 0, dropConnectionMidResponse: false, garbleNextResponse: false, silence: false, logoutAfter: null, soapFault: null };
}

type SwitchName = 'dropConnectionMidResponse' | 'garbleNextResponse' | 'silence';

/**
 * Consumes one use of a switch: returns whether the fault applies to this response and
 * counts a one-shot switch down (turning it off at zero).
 */
export function takeFault(faults: OciMockFaults, name: SwitchName): boolean {
  const value = faults[name];
  if (value === true) return true;
  if (value && typeof value === 'object' && value.times > 0) {
    faults[name] = value.times > 1 ? { times: value.times - 1 } : false;
    return true;
  }
  return false;
}

/** The latency to apply to this response (consuming one use of a `{ ms, times }` setting). */
export function takeLatency(faults: OciMockFaults): number {
  const value = faults.latencyMs;
  if (typeof value === 'number') return Math.max(value, 0);
  if (value && value.times > 0) {
    faults.latencyMs = value.times > 1 ? { ms: value.ms, times: value.times - 1 } : 0;
    return value.ms;
  }
  return 0;
}

/** The SOAP fault to answer with now, if any (consuming one use of a `{ fault, times }` setting). */
export function takeSoapFault(faults: OciMockFaults): SoapFaultName | null {
  const value = faults.soapFault;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value.times > 0) {
    faults.soapFault = value.times > 1 ? { fault: value.fault, times: value.times - 1 } : null;
    return value.fault;
  }
  return null;
}

/** Checks user-supplied fault settings and merges them over the defaults (throws a message on nonsense). */
export function resolveFaults(input: Partial<OciMockFaults> | undefined): OciMockFaults {
  const faults = noFaults();
  if (!input) return faults;
  for (const [key, value] of Object.entries(input)) {
    if (!(key in faults)) throw new Error(`unknown fault "${key}" (known: ${Object.keys(faults).join(', ')})`);
    (faults as unknown as Record<string, unknown>)[key] = value;
  }
  return faults;
}

/**
 * Makes response bytes unusable as XML while keeping the frame boundary: everything from the
 * first command on is replaced by bytes that are not well-formed (a broken tag, bytes invalid
 * in UTF-8, a bare `&`, NUL); the declaration, root start tag and closing tag are kept, so a
 * reader's framing still finds the end and its decoder fails rather than waiting forever.
 */
export function garble(document: Buffer): Buffer {
  const closing = Buffer.from('</BroadsoftDocument>');
  const junk = Buffer.from([0x3c, 0x63, 0x6f, 0x6d, 0x6d, 0x61, 0x6e, 0x64, 0x20, 0xff, 0xfe, 0x26, 0x00, 0x3c, 0x3c, 0x3e]);
  const firstCommand = document.indexOf('<command');
  const keep = Math.max(firstCommand, 0);
  return Buffer.concat([document.subarray(0, keep), junk, closing]);
}
