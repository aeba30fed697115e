import { type EncodableDocument, MAX_COMMANDS, type OciCommand, type OciDocument, decodeDocument, encodeDocument } from '../../oci/codec.js';
import { parseCommandName } from '../../oci/command-name.js';
import { OciUnknownTypeError } from '../../oci/errors.js';
import type { ComplexTypeMeta } from '../../oci/meta.js';
import { isReadOnlyRequest } from '../../oci/names.js';
import type { OciSchema } from '../../oci/schema.js';
import { collectIssues } from '../../oci/validate.js';
import { decodeDocumentText } from '../../oci/transport/framing.js';
import type { CassettePlayer, CassetteRecorder } from './cassette.js';
import { mockErrors } from './error-catalogue.js';
import { OciCommandRejection } from './errors.js';
import { EnvelopeSyntaxError, rawCommandType, splitEnvelope } from './envelope.js';
import { genericHandlerFor, handlersByFamily } from './handlers/index.js';
import type { CommandHandler, HandlerContext } from './handlers/context.js';
import { type OciMockState, copyFields } from './model.js';
import { ResponseBuilder, detailsAsCdata, seedOf, xmlSafe } from './respond.js';
import { ReadAnswers } from './read-answers.js';
import { AnswerTexts } from './answer-texts.js';
import type { SessionScope, SessionState } from './sessions.js';
import type { MockUser } from './users.js';

/** Request families a client may send before it has logged in. */
export const loginFreeFamilies: ReadonlySet<string> = new Set(['AuthenticationRequest', 'LoginRequest', 'AuthenticationVerifyRequest', 'LogoutRequest']);

/** Most commands one document may carry (oci-protocol.md §2.3). */
export const maxCommandsPerDocument = MAX_COMMANDS;

/** What the mock has received, for tests that check nothing was sent twice. */
export interface OciMockStats {
  documents: number;
  commands: number;
  /** Commands received per request type. */
  byType: Map<string, number>;
}

/** Logger accepted by the mock (console-like; every method optional). */
export interface OciMockLogger {
  debug?(message: string, data?: object): void;
  info?(message: string, data?: object): void;
  warn?(message: string, data?: object): void;
}

/** One decoded document: the identity to echo and, per command, the command or why it is rejected. */
export interface ParsedDocument {
  readonly identity: Pick<OciDocument, 'sessionId' | 'userId' | 'phoneNumber' | 'linePort' | 'trackingId'>;
  /** The key of the session: the sessionId, or '' for session-less documents (which are never logged in). */
  readonly sessionKey: string;
  readonly items: ({ command: OciCommand } | { rejection: OciCommandRejection; echo?: string })[];
}

/**
 * The transport-independent core of the mock: decodes a request document, validates every
 * command against the release metadata, checks the session's login, runs the handler of the
 * command's family (or synthesises a schema-valid answer) and encodes the response document
 * like a real server (ISO-8859-1, `c:`-prefixed core responses, echo always present).
 */
export class OciMockEngine {
  readonly stats: OciMockStats = { documents: 0, commands: 0, byType: new Map() };
  readonly responses: ResponseBuilder;
  private readonly answerTexts: AnswerTexts;
  private readonly readAnswers = new ReadAnswers();
  private readonly synthesised = new Map<string, OciCommand>();
  private readonly handlers: ReadonlyMap<string, CommandHandler>;
  /** Handlers found from the family name alone (service instances, Get/Modify settings), or null: cached per family. */
  private readonly genericHandlers = new Map<string, CommandHandler | null>();
  /**
   * Strict mode: a data-changing request the model does not cover is refused with
   * `[Error 4998]` instead of answered SuccessResponse. Either way it is counted in
   * `state.unmodelled` and logged.
   */
  strict = false;
  /** Replay: commands the cassette holds are answered from it; others from the model (or refused when strict). */
  replay: CassettePlayer | undefined;
  /** Record: every command but the login ones is forwarded upstream and recorded (only through executeAsync). */
  recorder: CassetteRecorder | undefined;

  constructor(
    readonly schema: OciSchema,
    readonly state: OciMockState,
    readonly users: MockUser[],
    private readonly logger: OciMockLogger = {},
  ) {
    this.responses = new ResponseBuilder(schema, (type, issues) =>
      logger.debug?.(`stored values do not fit ${type}; template values used instead`, { issues: issues.slice(0, 3) }),
    );
    this.handlers = handlersByFamily;
    this.answerTexts = new AnswerTexts(schema);
  }

  /** Decodes and validates a request document (bytes as received, or text). Never throws. */
  parse(input: Buffer | string): ParsedDocument {
    this.stats.documents++;
    let text: string;
    try {
      text = typeof input === 'string' ? input : decodeDocumentText(input);
    } catch (error) {
      return this.wholeDocumentError({}, describe(error));
    }
    let doc: OciDocument | undefined;
    try {
      doc = decodeDocument(this.schema, text);
    } catch {
      // Fall through: find out command by command what is wrong.
    }
    if (doc) {
      if (doc.commands.length === 0 || doc.commands.length > maxCommandsPerDocument) {
        return this.wholeDocumentError(identityOf(doc), `a document carries 1 to ${maxCommandsPerDocument} commands, this one has ${doc.commands.length}`);
      }
      return { identity: identityOf(doc), sessionKey: doc.sessionId ?? '', items: doc.commands.map((command) => this.check(command)) };
    }
    return this.parseCommandByCommand(text);
  }

  /** Runs every command of a parsed document in order and returns the response document text. */
  execute(parsed: ParsedDocument, scope: SessionScope): string {
    const session = scope.session(parsed.sessionKey);
    const count = parsed.items.length;
    const answers: OciCommand[] = new Array(count);
    const echoes: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const item = parsed.items[i] as ParsedDocument['items'][number];
      if ('rejection' in item) {
        answers[i] = errorResponse(item.rejection);
        echoes[i] = item.echo;
      } else {
        answers[i] = this.run(item.command, session, parsed.sessionKey);
        echoes[i] = item.command.echo;
      }
    }
    return this.encode(parsed, answers, echoes);
  }

  /**
   * Like execute, but in record mode forwards the document's commands upstream (in one batch)
   * and answers with the upstream responses. Login, logout and rejected commands stay local.
   */
  async executeAsync(parsed: ParsedDocument, scope: SessionScope): Promise<string> {
    const recorder = this.recorder;
    if (!recorder) return this.execute(parsed, scope);
    const session = scope.session(parsed.sessionKey);
    const answers: OciCommand[] = new Array(parsed.items.length);
    const echoes: unknown[] = new Array(parsed.items.length);
    const forwarded: { position: number; command: OciCommand }[] = [];
    parsed.items.forEach((item, position) => {
      if ('rejection' in item) {
        answers[position] = errorResponse(item.rejection);
        echoes[position] = item.echo;
        return;
      }
      echoes[position] = item.command.echo;
      if (loginFreeFamilies.has(this.familyOf(item.command.$type))) answers[position] = this.run(item.command, session, parsed.sessionKey);
      else if (!session.user || parsed.sessionKey === '') answers[position] = errorResponse(mockErrors.notLoggedIn());
      else forwarded.push({ position, command: item.command });
    });
    if (forwarded.length > 0) {
      let results: Awaited<ReturnType<CassetteRecorder['forward']>>;
      try {
        results = await recorder.forward(forwarded.map((f) => f.command));
      } catch (error) {
        results = forwarded.map(() => ({ failure: describe(error) }));
      }
      forwarded.forEach(({ position, command }, k) => {
        const result = results[k] ?? { failure: 'no response' };
        answers[position] = 'response' in result ? result.response : errorResponse(mockErrors.upstreamFailed(command.$type, result.failure));
        session.answered++;
      });
    }
    return this.encode(parsed, answers, echoes);
  }

  /** True when the document holds a command that needs a login and the session has none (SOAP answers a Fault). */
  needsLogin(parsed: ParsedDocument, scope: SessionScope): boolean {
    if (scope.session(parsed.sessionKey).user && parsed.sessionKey !== '') return false;
    return parsed.items.some((item) => 'command' in item && !loginFreeFamilies.has(this.familyOf(item.command.$type)));
  }

  /** The unsolicited LogoutRequest document a server pushes to end a session. */
  forcedLogoutDocument(sessionId: string, userId: string): string {
    return encodeDocument(
      this.schema,
      { protocol: 'OCI', sessionId, commands: [{ $type: 'LogoutRequest', userId, reason: 'Open Client Server Forced Logout' }] },
      { encoding: 'ISO-8859-1', validate: false },
    );
  }

  familyOf(typeKey: string): string {
    const meta = this.schema.has(typeKey) ? (this.schema.type(typeKey) as ComplexTypeMeta) : undefined;
    return meta?.family ?? parseCommandName(typeKey).family;
  }

  private run(command: OciCommand, session: SessionState, sessionKey: string): OciCommand {
    const requestType = command.$type;
    const family = this.familyOf(requestType);
    try {
      if (!loginFreeFamilies.has(family) && (!session.user || sessionKey === '')) throw mockErrors.notLoggedIn();
      const wasLoggedIn = session.user !== undefined;
      const replayed = this.replay && !loginFreeFamilies.has(family) ? this.replay.answer(command) : undefined;
      if (this.replay && !replayed && this.strict && !loginFreeFamilies.has(family)) throw mockErrors.notInCassette(requestType);
      const handler = replayed ? undefined : this.handlerOf(family);
      // One rule for what only reads (isReadOnlyRequest: Gets and the session requests). Login,
      // logout and authentication change the session only, not the state, and are not kept.
      const readOnly = handler !== undefined && isReadOnlyRequest(this.schema, requestType);
      const reads = readOnly && !loginFreeFamilies.has(family);
      // Before and after: an index a changing handler builds for its own checks is stale once it has changed things.
      const changes = handler !== undefined && !readOnly;
      // A modelled read of an unchanged state gets the answer it got last time (read-answers.ts).
      const generation = this.state.generation;
      const readKey = reads ? ReadAnswers.key(command) : undefined;
      const kept = readKey === undefined ? undefined : this.readAnswers.get(readKey, generation);
      if (changes) this.state.generation++;
      let response: OciCommand;
      try {
        response = kept ?? replayed ?? (handler ? handler(this.context(command, session)) : this.unmodelled(command));
      } finally {
        if (changes) this.state.generation++;
      }
      if (readKey !== undefined && kept === undefined) {
        const bytes = this.answerTexts.prepare(response);
        if (bytes >= 0) this.readAnswers.set(readKey, generation, response, bytes);
      }
      if (wasLoggedIn && session.user) session.answered++;
      return response;
    } catch (error) {
      if (error instanceof OciCommandRejection) return errorResponse(error);
      this.logger.warn?.(`handler for ${requestType} failed`, { error: describe(error) });
      return errorResponse(new OciCommandRejection(6000, 'Internal error in the mock server', describe(error)));
    }
  }

  /** The handler of a family: a registered one, else one found from the family name, else none. */
  handlerOf(family: string): CommandHandler | undefined {
    const registered = this.handlers.get(family);
    if (registered) return registered;
    let generic = this.genericHandlers.get(family);
    if (generic === undefined) {
      generic = genericHandlerFor(this.schema, family) ?? null;
      this.genericHandlers.set(family, generic);
    }
    return generic ?? undefined;
  }

  /** A request no handler covers: synthesised; a data-changing one is also counted and logged, and refused when strict. */
  private unmodelled(command: OciCommand): OciCommand {
    const requestType = command.$type;
    if (changesData(this.schema, requestType)) {
      const count = (this.state.unmodelled.get(requestType) ?? 0) + 1;
      if (this.state.unmodelled.has(requestType) || this.state.unmodelled.size < 10_000) this.state.unmodelled.set(requestType, count);
      if (count === 1) this.logger.warn?.(`${requestType} is not modelled: ${this.strict ? 'refused (strict)' : 'answered SuccessResponse, nothing changed'}`);
      if (this.strict) throw mockErrors.notModelled(requestType);
    }
    const responseType = this.schema.responseTypeOf(requestType);
    if (responseType === 'SuccessResponse') return this.synthesise(requestType);
    // The synthesised data response carries the request's own values where names match (ids, names).
    const { $type: _type, echo: _echo, ...values } = command as Record<string, unknown>;
    return this.responses.build(responseType, values);
  }

  private context(command: OciCommand, session: SessionState): HandlerContext {
    return new CommandContext(this, command, session);
  }

  /** The answer to a command the model does not cover: its data response, synthesised once per type, or SuccessResponse. */
  synthesise(requestType: string): OciCommand {
    let response = this.synthesised.get(requestType);
    if (!response) {
      const responseType = this.schema.responseTypeOf(requestType);
      response = (responseType === 'SuccessResponse' ? { $type: 'SuccessResponse' } : this.responses.template(responseType)) as OciCommand;
      this.synthesised.set(requestType, response);
    }
    return response as OciCommand;
  }

  /** Counts and validates one decoded command. */
  private check(command: OciCommand): ParsedDocument['items'][number] {
    this.count(command.$type);
    const echo = stringOrUndefined(command.echo);
    try {
      const meta = this.schema.type(command.$type) as ComplexTypeMeta;
      if (meta.role !== 'request') return { rejection: mockErrors.validation(`${command.$type} is not a request type`), echo };
      const issues = collectIssues(this.schema, command);
      if (issues.length > 0) return { rejection: mockErrors.validation(issues.map((i) => `${i.path}: ${i.message}`).join('\n')), echo };
      return { command };
    } catch (error) {
      // The validator never throws on decoded values; if it ever does, the command is refused rather than the connection lost.
      return { rejection: mockErrors.validation(describe(error)), echo };
    }
  }

  private count(type: string): void {
    this.stats.commands++;
    // Garbage type names from hostile input must not grow the map without end.
    const key = this.stats.byType.has(type) || this.stats.byType.size < 10_000 ? type : '(other)';
    this.stats.byType.set(key, (this.stats.byType.get(key) ?? 0) + 1);
  }

  /** The codec refused the whole document: decode each command alone so one bad command rejects only itself. */
  private parseCommandByCommand(text: string): ParsedDocument {
    let envelope: ReturnType<typeof splitEnvelope>;
    try {
      envelope = splitEnvelope(text);
    } catch (error) {
      return this.wholeDocumentError({}, error instanceof EnvelopeSyntaxError ? error.message : describe(error));
    }
    const identity = { sessionId: envelope.sessionId, trackingId: envelope.trackingId };
    let headerOnly: OciDocument;
    try {
      headerOnly = decodeDocument(
        this.schema,
        `${envelope.rootStart}${envelope.header}<command xmlns="" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="LogoutRequest"><userId>x</userId></command>${envelope.rootEnd}`,
      );
    } catch (error) {
      return this.wholeDocumentError(identity, describe(error));
    }
    if (envelope.commands.length === 0 || envelope.commands.length > maxCommandsPerDocument) {
      return this.wholeDocumentError(
        identityOf(headerOnly),
        `a document carries 1 to ${maxCommandsPerDocument} commands, this one has ${envelope.commands.length}`,
      );
    }
    const items = envelope.commands.map((raw) => {
      try {
        const single = decodeDocument(this.schema, `${envelope.rootStart}${envelope.header}${raw}${envelope.rootEnd}`);
        return this.check(single.commands[0]);
      } catch (error) {
        const typeName = error instanceof OciUnknownTypeError ? error.typeName : rawCommandType(raw);
        this.count(typeName ?? '(unknown)');
        const detail =
          error instanceof OciUnknownTypeError
            ? `Invalid xsi:type qname: '${error.typeName}' in element BroadsoftDocument@C\n${raw}\n`
            : `${describe(error)}\n${raw}\n`;
        return { rejection: mockErrors.validation(detail), echo: rawEcho(raw) };
      }
    });
    return { identity: identityOf(headerOnly), sessionKey: headerOnly.sessionId ?? '', items };
  }

  private wholeDocumentError(identity: ParsedDocument['identity'], detail: string): ParsedDocument {
    return { identity, sessionKey: identity.sessionId ?? '', items: [{ rejection: mockErrors.validation(detail) }] };
  }

  /**
   * The response document, written by the codec; each answer's text is kept with it (answer-texts.ts),
   * so an answer served again costs only its echo.
   */
  private encode(parsed: ParsedDocument, answers: OciCommand[], echoValues: unknown[]): string {
    // What the client sent is quoted back (identity, echo, 6004 details): characters XML cannot carry are escaped.
    const identity = xmlSafeIdentity(parsed.identity);
    if (identity.sessionId === undefined && identity.userId === undefined && identity.phoneNumber === undefined && identity.linePort === undefined) {
      identity.sessionId = '';
    }
    const echoes = echoValues.map((echo) => (typeof echo === 'string' ? xmlSafe(echo) : ''));
    let hasDetail = false;
    for (let i = 0; i < answers.length; i++) {
      const answer = answers[i] as OciCommand;
      if (answer.$type !== 'ErrorResponse' || answer.detail === undefined) continue;
      hasDetail = true;
      if (typeof answer.detail === 'string' && xmlSafe(answer.detail) !== answer.detail)
        answers[i] = copyFields(answer, { detail: xmlSafe(answer.detail) }) as OciCommand;
    }
    const commands = answers.map((answer, i) => this.answerTexts.withEcho(answer, echoes[i] as string) ?? withEcho(answer, echoes[i]));
    const doc: EncodableDocument = { protocol: 'OCI', ...identity, commands };
    try {
      const text = encodeDocument(this.schema, doc, { encoding: 'ISO-8859-1', validate: false });
      // Only an ErrorResponse with a detail has anything to rewrite: the other documents (nearly all) skip the scan.
      return hasDetail ? detailsAsCdata(text) : text;
    } catch (error) {
      // A response the encoder refuses is a mock bug: answer each command with an internal error rather than nothing.
      this.logger.warn?.('response document could not be encoded', { error: describe(error) });
      const fallback = echoes.map((echo) => withEcho(errorResponse(new OciCommandRejection(6000, 'Internal error in the mock server', describe(error))), echo));
      return encodeDocument(this.schema, { ...doc, commands: fallback }, { encoding: 'ISO-8859-1', validate: false });
    }
  }
}

/** The HandlerContext of one command (a class, so that no closures are made per command). */
class CommandContext implements HandlerContext {
  readonly schema: OciSchema;
  readonly state: OciMockState;
  readonly request: OciCommand & Record<string, unknown>;
  readonly requestType: string;
  readonly responseType: string;
  readonly users: readonly MockUser[];

  constructor(
    private readonly engine: OciMockEngine,
    command: OciCommand,
    readonly session: SessionState,
  ) {
    this.schema = engine.schema;
    this.state = engine.state;
    this.users = engine.users;
    this.request = command as OciCommand & Record<string, unknown>;
    this.requestType = command.$type;
    this.responseType = engine.schema.responseTypeOf(command.$type);
  }

  respond(values: Record<string, unknown>): OciCommand {
    return this.engine.responses.build(this.responseType, values);
  }

  respondShared(key: string, values: () => Record<string, unknown>): OciCommand {
    return this.engine.responses.buildShared(this.responseType, key, this.state.generation, () => this.respond(values()));
  }

  success(): OciCommand {
    return successResponse;
  }

  synthesise(): OciCommand {
    return this.engine.synthesise(this.requestType);
  }
}

/** One SuccessResponse for every success (answers are never changed once made): its text is kept (answer-texts.ts). */
const successResponse: OciCommand = Object.freeze({ $type: 'SuccessResponse' });

/** Requests answered with SuccessResponse that are not reads or session requests are taken to change data. */
function changesData(schema: OciSchema, requestType: string): boolean {
  return schema.responseTypeOf(requestType) === 'SuccessResponse' && !isReadOnlyRequest(schema, requestType);
}

/** The ErrorResponse value for a rejection (summary = summaryEnglish, no errorCode, like a real server). */
export function errorResponse(rejection: OciCommandRejection): OciCommand {
  const summary = `[Error ${rejection.errorNumber}] ${rejection.text}`;
  const response: OciCommand = { $type: 'ErrorResponse', type: 'Error', summary, summaryEnglish: summary };
  if (rejection.detail !== undefined) response.detail = rejection.detail;
  return response;
}

/** The identity members of a response document, as collected from the request. */
interface DocumentIdentity {
  sessionId?: string;
  userId?: string;
  phoneNumber?: string;
  linePort?: string;
  trackingId?: string;
}

function xmlSafeIdentity(identity: ParsedDocument['identity']): DocumentIdentity {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(identity)) if (typeof value === 'string') out[key] = xmlSafe(value);
  return out;
}

function withEcho(response: OciCommand, echo: unknown): OciCommand {
  return copyFields(response, { echo: typeof echo === 'string' ? echo : '' }) as OciCommand;
}

function identityOf(doc: OciDocument): ParsedDocument['identity'] {
  const identity: Record<string, string> = {};
  for (const key of ['sessionId', 'userId', 'phoneNumber', 'linePort', 'trackingId'] as const) {
    const value = doc[key];
    if (typeof value === 'string') identity[key] = value;
  }
  return identity;
}

function rawEcho(raw: string): string | undefined {
  const start = raw.slice(0, raw.indexOf('>') + 1);
  return /\secho\s*=\s*(["'])(.*?)\1/.exec(start)?.[2];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { seedOf };
