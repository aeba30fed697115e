import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { OciCommand } from '../../oci/codec.js';
import { OciClient, type OciClientOptions } from '../../oci/client.js';
import { OciError } from '../../oci/oci-error.js';
import type { OciSchema } from '../../oci/schema.js';
import { OciMockError } from './errors.js';

/**
 * Record and replay. A cassette is a JSON Lines file: one `{"request": …, "response": …}`
 * object per command, in the value form of runtime/oci/meta.ts, with every password-like
 * member (password, newPassword, signedPassword, passcode, …) replaced by `"********"`.
 *
 * - CassetteRecorder forwards commands to a real server through our OciClient (its own
 *   session and login) and appends each request/response pair.
 * - CassettePlayer answers a command from the cassette when one recorded request matches it by
 *   type and every field (echo ignored, passwords compared redacted). The same request recorded
 *   several times is answered in recorded order, then the last answer repeats.
 */
export interface CassetteEntry {
  request: OciCommand;
  response: OciCommand;
}

/** Replaces every password-like member, at any depth, by a fixed mask. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    out[key] = secretName.test(key) && typeof member === 'string' ? secretMask : redactSecrets(member);
  }
  return out as T;
}

const secretName = /password|passcode|secret/i;
const secretMask = '********';

/** The matching key of a request: its type and fields in a stable order, echo dropped, secrets masked. */
export function requestKey(command: OciCommand): string {
  const { echo: _echo, ...rest } = redactSecrets(command) as Record<string, unknown>;
  return stableJson(rest);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** Answers recorded commands. */
export class CassettePlayer {
  private readonly answers = new Map<string, { responses: OciCommand[]; next: number }>();
  readonly size: number;

  constructor(entries: readonly CassetteEntry[]) {
    for (const entry of entries) {
      const key = requestKey(entry.request);
      const slot = this.answers.get(key) ?? { responses: [], next: 0 };
      slot.responses.push(entry.response);
      this.answers.set(key, slot);
    }
    this.size = entries.length;
  }

  /** Reads a cassette file; a malformed line gives TH_ERR_OCI_MOCK_CASSETTE naming the line. */
  static load(path: string): CassettePlayer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new OciMockError('TH_ERR_OCI_MOCK_CASSETTE', `cannot read cassette ${path}: ${(error as Error).message}`, { cause: error, context: { path } });
    }
    const entries: CassetteEntry[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let entry: CassetteEntry;
      try {
        entry = JSON.parse(line) as CassetteEntry;
      } catch (error) {
        throw new OciMockError('TH_ERR_OCI_MOCK_CASSETTE', `${path}:${i + 1}: not JSON: ${(error as Error).message}`, { context: { path, line: i + 1 } });
      }
      if (typeof entry?.request?.$type !== 'string' || typeof entry?.response?.$type !== 'string') {
        throw new OciMockError('TH_ERR_OCI_MOCK_CASSETTE', `${path}:${i + 1}: expected {"request": {"$type": …}, "response": {"$type": …}}`, {
          context: { path, line: i + 1 },
        });
      }
      entries.push(entry);
    });
    return new CassettePlayer(entries);
  }

  /** The recorded answer to a command, or undefined when none matches. */
  answer(command: OciCommand): OciCommand | undefined {
    const slot = this.answers.get(requestKey(command));
    if (!slot) return undefined;
    const response = slot.responses[Math.min(slot.next, slot.responses.length - 1)] as OciCommand;
    slot.next++;
    return response;
  }
}

/** Where the recorder sends commands: the real server's URL and an account on it. */
export type UpstreamOptions = Pick<OciClientOptions, 'url' | 'userId' | 'password'> & Partial<OciClientOptions>;

/** Forwards commands to the upstream server and appends each pair to the cassette. */
export class CassetteRecorder {
  private client: OciClient | undefined;
  recorded = 0;

  constructor(
    readonly path: string,
    private readonly upstream: UpstreamOptions,
    private readonly schema: OciSchema,
  ) {
    try {
      writeFileSync(path, '');
    } catch (error) {
      throw new OciMockError('TH_ERR_OCI_MOCK_CASSETTE', `cannot write cassette ${path}: ${(error as Error).message}`, { cause: error, context: { path } });
    }
  }

  /**
   * Sends the commands upstream in one batch and returns one response per command: the
   * server's answer, its ErrorResponse, or undefined when the command never got an answer
   * (the caller reports that).
   */
  async forward(commands: readonly OciCommand[]): Promise<({ response: OciCommand } | { failure: string })[]> {
    this.client ??= new OciClient({ ...this.upstream, schema: this.schema, release: this.schema.release });
    const results = await this.client.sendBatch(commands.map(({ echo: _echo, ...command }) => command as OciCommand));
    return results.map((result, i) => {
      let response: OciCommand | undefined;
      if (result.ok) response = result.response as OciCommand;
      else if (result.error instanceof OciError) response = result.error.response as unknown as OciCommand;
      if (!response) return { failure: result.ok ? 'no response' : result.error.message };
      const { echo: _echo, ...clean } = response as Record<string, unknown>;
      const entry: CassetteEntry = { request: redactSecrets(commands[i] as OciCommand), response: redactSecrets(clean as OciCommand) };
      const { echo: _requestEcho, ...request } = entry.request as Record<string, unknown>;
      appendFileSync(this.path, `${JSON.stringify({ request, response: entry.response })}\n`);
      this.recorded++;
      return { response: clean as OciCommand };
    });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
