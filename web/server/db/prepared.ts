import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Stands for argument `i` while the query is compiled; never a real value (NUL bytes). */
const marker = (i: number) => `\u0000prepared argument ${i}\u0000`;

/**
 * A hot-path query written once with Kysely's builder, so it stays dialect-neutral, and compiled
 * once: each run only puts its arguments in the compiled parameter list. Building and compiling
 * costs several times more than running the small statements the store issues per action.
 *
 * `build` gets the database and one stand-in per argument, and must use each argument as a plain
 * value (a compiled parameter), never to choose the query's shape: a query whose shape depends
 * on a value is a separate prepared query, or is built each time.
 */
export class PreparedQuery<Args extends unknown[], Row> {
  private compiled: CompiledQuery<Row> | undefined;
  /** Per compiled parameter: the index of the argument it takes, or -1 for a constant of the query. */
  private slots: number[] = [];

  constructor(private readonly build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>) {}

  /** Runs on `db` (the database or a transaction of it) and returns the rows. */
  async execute(db: Kysely<Database>, ...args: Args): Promise<Row[]> {
    const compiled = this.compiled ?? this.compile(db, args.length);
    const parameters = this.slots.map((slot, i) => (slot < 0 ? compiled.parameters[i] : args[slot]));
    return (await db.executeQuery<Row>({ ...compiled, parameters })).rows;
  }

  async first(db: Kysely<Database>, ...args: Args): Promise<Row | undefined> {
    return (await this.execute(db, ...args))[0];
  }

  private compile(db: Kysely<Database>, arity: number): CompiledQuery<Row> {
    const markers = Array.from({ length: arity }, (_, i) => marker(i));
    const compiled = this.build(db, ...(markers as Args)).compile();
    const slots = compiled.parameters.map((p) => (typeof p === 'string' ? markers.indexOf(p) : -1));
    for (let i = 0; i < arity; i++) {
      if (!slots.includes(i)) throw new Error(`prepared query: argument ${i} is not a parameter of ${compiled.sql}`);
    }
    this.slots = slots;
    this.compiled = compiled;
    return compiled;
  }
}
