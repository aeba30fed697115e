import type { OciCommand } from '../../oci/codec.js';

/** Text of kept answers and of their requests' keys, in all (a large group's lists are about 1 MB each). */
const maxBytes = 32 * 1024 * 1024;
/** Larger ones (answer and key) are built each time. */
const maxAnswerBytes = 1024 * 1024;

/**
 * Answers to modelled reads (the Get requests a handler answers), kept while the state is
 * unchanged: a Get answer depends only on the request and the state (no handler of a Get reads
 * the session, the clock or a random source), so the same request in the same state generation
 * gets the same, already validated and written, answer object. Everything is dropped as soon as
 * `state.generation` moves (the engine bumps it around every data-changing request; the model on
 * its own adds, deletes and renames; `OciMockServer.state` on every access from outside).
 * Bounded by the size of the written answers.
 */
export class ReadAnswers {
  private readonly answers = new Map<string, { answer: OciCommand; bytes: number }>();
  private generation = -1;
  private bytes = 0;

  /** The key of a request: its type and members (the decoder's order is the schema's), echo left out. */
  static key(command: OciCommand): string {
    if (command.echo === undefined) return JSON.stringify(command);
    const { echo: _echo, ...rest } = command;
    return JSON.stringify(rest);
  }

  /** The kept answer to the request of `key` in this state generation. */
  get(key: string, generation: number): OciCommand | undefined {
    if (generation !== this.generation) {
      this.answers.clear();
      this.bytes = 0;
      this.generation = generation;
      return undefined;
    }
    return this.answers.get(key)?.answer;
  }

  /** Keeps an answer whose written text is `answerBytes` long (the oldest answers make room). */
  set(key: string, generation: number, answer: OciCommand, answerBytes: number): void {
    // The key counts too: a hostile request can be far larger than its answer.
    const bytes = answerBytes + key.length;
    if (generation !== this.generation || bytes > maxAnswerBytes) return;
    const previous = this.answers.get(key);
    if (previous) {
      this.bytes -= previous.bytes;
      this.answers.delete(key);
    }
    for (const [oldest, kept] of this.answers) {
      if (this.bytes + bytes <= maxBytes) break;
      this.bytes -= kept.bytes;
      this.answers.delete(oldest);
    }
    this.answers.set(key, { answer, bytes });
    this.bytes += bytes;
  }

  /** How many answers are kept (for tests). */
  get size(): number {
    return this.answers.size;
  }
}
