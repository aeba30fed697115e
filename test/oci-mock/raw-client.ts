// A deliberately small OCI-P client for the mock tests: raw sockets, the codec and the framing
// splitter, nothing else (the real client is tested against the mock in test/oci-client/).
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { signedPassword } from '../../runtime/oci/auth.js';
import { type OciCommand, type OciDocument, decodeDocument, encodeDocument } from '../../runtime/oci/codec.js';
import type { OciSchema } from '../../runtime/oci/schema.js';
import { OciDocumentSplitter } from '../../runtime/oci/transport/framing.js';

export interface RawReply {
  bytes: Buffer;
  text: string;
  doc: OciDocument;
}

/** One socket, one document in flight; documents that arrive with nobody waiting are kept in `unsolicited`. */
export class RawOciConnection {
  readonly unsolicited: Buffer[] = [];
  private readonly splitter = new OciDocumentSplitter();
  private readonly waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  closed = false;

  private constructor(
    readonly socket: Socket,
    readonly schema: OciSchema,
    public sessionId = 'test-session',
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const doc of this.splitter.push(chunk)) {
        const next = this.waiting.shift();
        if (next) next.resolve(doc);
        else this.unsolicited.push(doc);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
  }

  static async tcp(schema: OciSchema, port: number): Promise<RawOciConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawOciConnection(socket, schema);
  }

  static async tls(schema: OciSchema, port: number, ca: string): Promise<RawOciConnection> {
    const socket = tlsConnect({ port, host: 'localhost', servername: 'localhost', ca });
    await once(socket, 'secureConnect');
    return new RawOciConnection(socket, schema);
  }

  /** Sends raw bytes/text (a `\n` is appended) and resolves with the next document received. */
  sendRaw(text: string | Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat([Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), Buffer.from('\n')]));
    });
  }

  /** Encodes (without client-side validation, so invalid commands reach the server) and sends commands. */
  async send(commands: OciCommand[], options: { sessionId?: string; encoding?: 'UTF-8' | 'ISO-8859-1' } = {}): Promise<RawReply> {
    const text = encodeDocument(this.schema, { sessionId: options.sessionId ?? this.sessionId, commands }, { validate: false, encoding: options.encoding });
    const bytes = await this.sendRaw(Buffer.from(text, options.encoding === 'ISO-8859-1' ? 'latin1' : 'utf8'));
    return { bytes, text: bytes.toString('latin1'), doc: decodeDocument(this.schema, bytes) };
  }

  /** Sends one command and returns its response. */
  async one(command: OciCommand): Promise<OciCommand> {
    return (await this.send([command])).doc.commands[0];
  }

  /** Two-stage hashed login (AuthenticationRequest + LoginRequest14sp4). */
  async loginHashed(userId = 'admin', password = 'admin'): Promise<OciCommand> {
    const auth = await this.one({ $type: 'AuthenticationRequest', userId });
    if (auth.$type !== 'AuthenticationResponse') return auth;
    return this.one({ $type: 'LoginRequest14sp4', userId, signedPassword: signedPassword(String(auth.nonce), password) });
  }

  /** Single-step login (LoginRequest22V5 with the plain password). */
  loginPlain(userId = 'admin', password = 'admin'): Promise<OciCommand> {
    return this.one({ $type: 'LoginRequest22V5', userId, password });
  }

  /** Resolves with the next document that arrives without a request (e.g. a forced logout). */
  async nextUnsolicited(timeoutMs = 10_000): Promise<Buffer> {
    const started = Date.now();
    while (this.unsolicited.length === 0) {
      if (Date.now() - started > timeoutMs) throw new Error('no unsolicited document arrived');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.unsolicited.shift() as Buffer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const closed = once(this.socket, 'close');
    this.socket.destroy();
    await closed;
  }
}

/** `[Error NNNN]` of an ErrorResponse, or undefined. */
export function errorNumber(response: OciCommand): number | undefined {
  if (response.$type !== 'ErrorResponse') return undefined;
  const match = /^\[Error (\d+)\]/.exec(String(response.summary));
  return match ? Number(match[1]) : undefined;
}

/** Reads what a socket sends until `done(bytes)` holds; rejects if that takes `ms` (a hang, not a timing check). */
export async function collectUntil(socket: Socket, done: (bytes: Buffer) => boolean, ms = 10_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let onData: ((chunk: Buffer) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      onData = (chunk: Buffer) => {
        chunks.push(chunk);
        const bytes = Buffer.concat(chunks);
        if (done(bytes)) resolve(bytes);
      };
      socket.on('data', onData);
      timer = setTimeout(
        () => reject(new Error(`the expected bytes did not arrive in ${ms} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`)),
        ms,
      );
    });
  } finally {
    clearTimeout(timer);
    if (onData !== undefined) socket.off('data', onData);
  }
}

/** Reads everything a socket sends until it closes or `ms` pass. */
export async function collectUntilClose(socket: Socket, ms: number): Promise<{ bytes: Buffer; closed: boolean }> {
  const chunks: Buffer[] = [];
  const onData = (c: Buffer) => chunks.push(c);
  socket.on('data', onData);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  socket.off('data', onData);
  return { bytes: Buffer.concat(chunks), closed };
}
