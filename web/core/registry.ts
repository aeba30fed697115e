import { Ajv, type ValidateFunction } from 'ajv';
import { splitCommand } from './command.js';
import { WebCommandError, WebHandlerConfigError, WebHandlerUnavailableError, WebServerConfigError } from './errors.js';
import type { CommandText, Handler, HandlerServices, JsonValue, ParsedCommand, WebLogger } from './types.js';

/** A handler's entry: its availability after start (B21). */
export interface RegistryEntry {
  handler: Handler;
  available: boolean;
  reason?: string;
}

/** A command matched to its handler and parsed. */
export interface DispatchedCommand {
  handler: Handler;
  command: CommandText;
  parsed: ParsedCommand<JsonValue>;
}

/** What `GET /api/handlers` and `%help%` show of a handler. */
export interface HandlerInfo {
  name: string;
  verbs: string[];
  synopsis: string;
  help: string;
  configSchema: Record<string, unknown> | null;
  secretKeys: string[];
  available: boolean;
  reason?: string;
  mayMutate: boolean;
}

/**
 * Maps each verb to exactly one handler (a duplicate verb is an error at registration),
 * starts and stops handlers, and parses command text into requests (C.3).
 */
export class HandlerRegistry {
  private readonly entries = new Map<string, RegistryEntry>();
  private readonly byVerb = new Map<string, RegistryEntry>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });

  constructor(handlers: readonly Handler[] = []) {
    for (const h of handlers) this.register(h);
  }

  register(handler: Handler): void {
    if (this.entries.has(handler.name)) throw new WebServerConfigError(`two handlers are named ${handler.name}`);
    const entry: RegistryEntry = { handler, available: true };
    for (const verb of handler.verbs) {
      const other = this.byVerb.get(verb);
      if (other) throw new WebServerConfigError(`verb %${verb}% is claimed by both ${other.handler.name} and ${handler.name}`, { verb });
    }
    for (const verb of handler.verbs) this.byVerb.set(verb, entry);
    this.entries.set(handler.name, entry);
    if (handler.configSchema) this.validators.set(handler.name, this.ajv.compile(handler.configSchema));
  }

  get(name: string): Handler | undefined {
    return this.entries.get(name)?.handler;
  }

  list(): readonly RegistryEntry[] {
    return [...this.entries.values()];
  }

  info(): HandlerInfo[] {
    return this.list().map(({ handler: h, available, reason }) => ({
      name: h.name,
      verbs: [...h.verbs],
      synopsis: h.synopsis,
      help: h.help,
      configSchema: h.configSchema ?? null,
      secretKeys: [...(h.secretKeys ?? [])],
      available,
      ...(reason ? { reason } : {}),
      mayMutate: h.mayMutate === true,
    }));
  }

  /** Starts every handler; one that throws is marked unavailable and logged, the others go on. */
  async start(services: HandlerServices, staticConfig: Record<string, unknown> = {}, log?: WebLogger): Promise<void> {
    for (const entry of this.entries.values()) {
      try {
        await entry.handler.start?.(services, staticConfig[entry.handler.name] ?? {});
      } catch (error) {
        entry.available = false;
        entry.reason = (error as Error).message;
        log?.error(`handler ${entry.handler.name} failed to start; its verbs are unavailable`, { error: entry.reason });
      }
    }
  }

  /** Stops every handler, each within `deadlineMs`. */
  async stop(deadlineMs = 5000, log?: WebLogger): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async ({ handler }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve(handler.stop?.()),
            new Promise((resolve) => {
              timer = setTimeout(resolve, deadlineMs);
            }),
          ]);
        } catch (error) {
          log?.warn(`handler ${handler.name} failed to stop`, { error: (error as Error).message });
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** Splits and parses raw text: unknown verb, syntax and validation errors throw WebCommandError (400). */
  async dispatch(raw: string): Promise<DispatchedCommand> {
    const command = splitCommand(raw);
    const entry = this.byVerb.get(command.verb);
    if (!entry) {
      const verbs = [...this.byVerb.keys()].map((v) => `%${v}%`).join(', ');
      throw new WebCommandError(`unknown verb %${command.verb}% (known: ${verbs})`, { position: raw.indexOf('%'), code: 'TH_ERR_WEB_UNKNOWN_VERB' });
    }
    if (!entry.available) throw new WebHandlerUnavailableError(entry.handler.name, entry.reason ?? 'not started');
    let parsed: ParsedCommand<JsonValue>;
    try {
      parsed = await entry.handler.parse(command);
    } catch (error) {
      if (error instanceof WebCommandError) throw error;
      const e = error as { code?: string; message?: string };
      // A handler's own typed error (an OCI-P field problem …) is still a parse error: 400 with its message.
      throw new WebCommandError(e.message ?? String(error), { code: 'TH_ERR_WEB_COMMAND', context: { cause: e.code }, cause: error });
    }
    return { handler: entry.handler, command, parsed };
  }

  /**
   * Validates a configuration being saved: the schema, then the handler's own rules
   * (`checkConfig`, e.g. the server's passwordEnv list). Runs are not checked this way: the
   * handler checks what an action uses, so one entry no longer allowed does not stop the others.
   */
  validateNewConfig(handlerName: string, config: unknown): void {
    this.validateConfig(handlerName, config);
    this.entries.get(handlerName)!.handler.checkConfig?.(config);
  }

  /** Validates a per-user configuration against the handler's schema; the error names the path. */
  validateConfig(handlerName: string, config: unknown): void {
    const validate = this.validators.get(handlerName);
    if (!this.entries.has(handlerName)) throw new WebCommandError(`no handler named ${handlerName}`, { code: 'TH_ERR_WEB_UNKNOWN_HANDLER' });
    if (!validate) {
      if (config !== null && typeof config === 'object' && !Array.isArray(config) && Object.keys(config).length === 0) return;
      throw new WebHandlerConfigError(handlerName, '', 'this handler takes no configuration');
    }
    if (!validate(config)) {
      const e = validate.errors?.[0];
      const path = (e?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      const extra = e?.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
      throw new WebHandlerConfigError(handlerName, path, `${e?.message ?? 'invalid'}${extra}`);
    }
  }
}
