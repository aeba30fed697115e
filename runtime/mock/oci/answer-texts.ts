import { EncodedCommand, type OciCommand, encodeCommand } from '../../oci/codec.js';
import type { OciSchema } from '../../oci/schema.js';
import { escapeAttribute } from '../../oci/xml/escape.js';
import { referenceBeyond } from '../../oci/xml/text.js';

/**
 * The text of each answer the mock sends, written once by the codec (`encodeCommand`) and kept
 * with the answer object (answers are never changed once built): an answer served again (a shared,
 * cached or synthesised one) costs only its echo. The text is kept as an ISO-8859-1 document
 * carries it (characters beyond Latin-1 as references), so the document does not scan it again.
 */
export class AnswerTexts {
  /** What is kept of each answer, or null when it cannot be kept (the echo is not first, or the codec refuses it). */
  private readonly written = new WeakMap<object, KeptAnswer | null>();
  /** Per response type: does its echo attribute come first (then the echo can go in front of the kept text)? */
  private readonly echoFirst = new Map<string, boolean>();

  constructor(private readonly schema: OciSchema) {}

  /**
   * The answer with `echo` as its echo attribute, for `encodeDocument(…, { encoding: 'ISO-8859-1',
   * validate: false })` (answers are validated when they are built, respond.ts). Its command is the
   * answer itself, without the echo: only its text goes out. Undefined when the answer's text is
   * not kept: the caller encodes the answer with its echo (and gets the codec's error, if any).
   */
  withEcho(answer: OciCommand, echo: string): EncodedCommand | undefined {
    const kept = this.kept(answer);
    if (kept === null) return undefined;
    // Clients that do not set an echo (most) get the one command made for an empty echo.
    if (echo === '') return kept.withEmptyEcho;
    const written = ECHO_NEEDS_WORK.test(echo) ? referenceBeyond(escapeAttribute(echo)) : echo;
    return new EncodedCommand(answer, `<command echo="${written}"${kept.afterEcho}`, true);
  }

  /** Writes an answer now (it is kept with the answer); its length, or -1 when it is not kept. */
  prepare(answer: OciCommand): number {
    const kept = this.kept(answer);
    return kept === null ? -1 : kept.afterEcho.length;
  }

  private kept(answer: OciCommand): KeptAnswer | null {
    let kept = this.written.get(answer);
    if (kept === undefined) {
      const text = this.echoComesFirst(answer) ? this.encode(answer) : undefined;
      kept = text === undefined ? null : new KeptAnswer(answer, flattened(referenceBeyond(text).slice('<command'.length)));
      this.written.set(answer, kept);
    }
    return kept;
  }

  private encode(answer: OciCommand): string | undefined {
    try {
      return encodeCommand(this.schema, answer);
    } catch {
      return undefined;
    }
  }

  /** A response type whose first attribute is echo, answered without one: its echo goes right after `<command`. */
  private echoComesFirst(answer: OciCommand): boolean {
    const type = answer.$type;
    if (answer.echo !== undefined || typeof type !== 'string' || !this.schema.has(type)) return false;
    let first = this.echoFirst.get(type);
    if (first === undefined) {
      const meta = this.schema.complexType(type);
      first = meta.role === 'response' && meta.attrs?.[0]?.n === 'echo';
      this.echoFirst.set(type, first);
    }
    return first;
  }
}

/** An answer's text after its echo attribute, and the answer with an empty echo (made once). */
class KeptAnswer {
  readonly withEmptyEcho: EncodedCommand;
  constructor(
    answer: OciCommand,
    readonly afterEcho: string,
  ) {
    this.withEmptyEcho = new EncodedCommand(answer, `<command echo=""${afterEcho}`, true);
  }
}

/** An echo that needs escaping or character references (one test; most echoes need neither). */
const ECHO_NEEDS_WORK = /[&<>"\t\n\r\u0100-\uffff]/;

/**
 * The same string, made flat in place: a text built from many small pieces is a tree that V8
 * copies piece by piece each time a document containing it is turned into bytes; flat, it is one
 * copy. Converting a string to a number flattens it (the result is not needed).
 */
function flattened(text: string): string {
  // Kept in a module variable, so that the compiler cannot drop the conversion as unused.
  flatteningSink = Number(text);
  return text;
}
let flatteningSink = 0;
