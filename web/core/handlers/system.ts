import { parse as parseYaml } from 'yaml';
import { splitCommand } from '../command.js';
import { WebCommandError } from '../errors.js';
import { maskSecrets } from '../secrets.js';
import type { CommandText, Handler, HandlerServices, JsonValue, ParsedCommand, RunContext } from '../types.js';

/**
 * The system handlers (C.10): notes (`%markdown%`/`%md%`, `%html%`), per-user handler
 * configuration (`%config%`) and the registry (`%help%`). No code execution of any kind (B17).
 */

type NoteRequest = { kind: 'markdown' | 'html'; body: string };

/** `%markdown%` / `%md%` and `%html%`: the body as one chunk (the page sanitises it with DOMPurify). */
export function notesHandler(): Handler<NoteRequest> {
  return {
    name: 'notes',
    verbs: ['markdown', 'md', 'html'],
    synopsis: '%markdown% (or %md%) / %html% followed by a body: a note in the thread',
    help: [
      '`%markdown%` (alias `%md%`) and `%html%` store the lines after the first as one chunk.',
      'The page renders markdown with *marked* and sanitises every HTML string with DOMPurify: scripts, event attributes and frames are removed.',
    ].join('\n\n'),
    parse(command: CommandText): ParsedCommand<NoteRequest> {
      if (command.args.length > 0)
        throw new WebCommandError(`%${command.verb}% takes no arguments: write the text on the next lines`, { position: command.argOffsets[0] });
      if (command.body.trim() === '')
        throw new WebCommandError(`%${command.verb}% needs a body on the lines after the first`, { position: command.bodyOffset });
      return { request: { kind: command.verb === 'html' ? 'html' : 'markdown', body: command.body }, mutating: false };
    },
    async run(context: RunContext, request: NoteRequest): Promise<void> {
      if (request.kind === 'html') await context.emit.html(request.body);
      else await context.emit.markdown(request.body);
    },
  };
}

type ConfigRequest = { op: 'get' | 'unset'; handler: string } | { op: 'set'; handler: string; config: JsonValue };

/** `%config% get|set|unset <handler>`: the caller's configuration of a handler; secrets masked. */
export function configHandler(): Handler<ConfigRequest> {
  let services: HandlerServices | undefined;
  return {
    name: 'config',
    verbs: ['config'],
    synopsis: '%config% get|set|unset <handler>: your configuration of a handler (set: JSON or YAML body)',
    help: [
      '- `%config% get oci`: shows your configuration of the `oci` handler, secrets masked.',
      "- `%config% set oci` followed by JSON or YAML: validated against the handler's schema (errors name the path), secrets encrypted at rest. A masked secret (`********`) sent back unchanged keeps the stored one.",
      '- `%config% unset oci`: deletes it.',
    ].join('\n'),
    mayMutate: true,
    start(s) {
      services = s;
    },
    redact: (request) => redactConfigRequest(request as unknown as JsonValue),
    // The typed configuration is shown as the question: its secrets are masked (as JSON).
    redactText(raw: string): string {
      const newline = raw.indexOf('\n');
      const [op, name] = splitCommand(raw).args;
      if (op !== 'set' || newline < 0) return raw;
      try {
        const keys = services?.handler(name ?? '')?.secretKeys ?? ['password'];
        return `${raw.slice(0, newline)}\n${JSON.stringify(maskSecrets(parseYaml(raw.slice(newline + 1)), keys), null, 2)}`;
      } catch {
        return `${raw.slice(0, newline)}\n(configuration not shown)`;
      }
    },
    parse(command: CommandText): ParsedCommand<ConfigRequest> {
      const [op, handler, ...extra] = command.args;
      if (op !== 'get' && op !== 'set' && op !== 'unset') {
        throw new WebCommandError('usage: %config% get|set|unset <handler>', { position: command.argOffsets[0] ?? command.raw.indexOf('%config%') + 8 });
      }
      if (!handler) throw new WebCommandError(`%config% ${op} needs a handler name`, { position: command.argOffsets[0] });
      if (extra.length > 0) throw new WebCommandError(`unexpected argument '${extra[0]}'`, { position: command.argOffsets[2] });
      if (op !== 'set') {
        if (command.body.trim() !== '') throw new WebCommandError(`%config% ${op} takes no body`, { position: command.bodyOffset });
        return { request: { op, handler }, mutating: false };
      }
      if (command.body.trim() === '')
        throw new WebCommandError('%config% set needs the configuration (JSON or YAML) on the next lines', { position: command.bodyOffset });
      let config: unknown;
      try {
        config = parseYaml(command.body); // YAML is a superset of JSON
      } catch (error) {
        const pos = (error as { pos?: [number, number] }).pos;
        throw new WebCommandError(`the body is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`, {
          position: command.bodyOffset + (pos?.[0] ?? 0),
        });
      }
      // The request is stored with the action: secrets must not be, so run gets the body text again.
      return { request: { op, handler, config: config as JsonValue }, mutating: true };
    },
    async run(context: RunContext, request: ConfigRequest): Promise<void> {
      if (!services) throw new Error('config handler not started');
      if (request.op === 'get') {
        const stored = await services.configs.getMasked(context.user.id, request.handler);
        if (stored === undefined) await context.emit.text(`no configuration for ${request.handler} (it receives {})`);
        else await context.emit.json(stored);
      } else if (request.op === 'unset') {
        const removed = await services.configs.unset(context.user.id, request.handler);
        await context.emit.text(removed ? `configuration of ${request.handler} deleted` : `no configuration for ${request.handler}`);
      } else {
        const masked = await services.configs.set(context.user.id, request.handler, (request as { config: JsonValue }).config);
        await context.emit.text(`configuration of ${request.handler} saved`);
        await context.emit.json(masked);
      }
    },
  };
}

/** Removes secrets from a `%config% set` request before it is stored with the action. */
export function redactConfigRequest(request: JsonValue): JsonValue {
  if (request && typeof request === 'object' && !Array.isArray(request) && request.op === 'set') return { ...request, config: '(not stored)' };
  return request;
}

type HelpRequest = { handler: string | null };

/** `%help% [handler]`: verbs, synopses and availability from the registry. */
export function helpHandler(): Handler<HelpRequest> {
  let services: HandlerServices | undefined;
  return {
    name: 'help',
    verbs: ['help'],
    synopsis: '%help% [handler]: the commands you can type',
    help: "`%help%` lists every handler with its verbs and availability; `%help% oci` shows one handler's help.",
    start(s) {
      services = s;
    },
    parse(command: CommandText): ParsedCommand<HelpRequest> {
      if (command.args.length > 1) throw new WebCommandError(`unexpected argument '${command.args[1]}'`, { position: command.argOffsets[1] });
      return { request: { handler: command.args[0]?.replace(/^%|%$/g, '') ?? null }, mutating: false };
    },
    async run(context: RunContext, request: HelpRequest): Promise<void> {
      if (!services) throw new Error('help handler not started');
      const entries = services.handlers();
      if (request.handler) {
        const wanted = request.handler.toLowerCase();
        const entry = entries.find((e) => e.handler.name === wanted || e.handler.verbs.includes(wanted));
        if (!entry) throw new WebCommandError(`no handler or verb named ${request.handler}`);
        const h = entry.handler;
        const state = entry.available ? '' : `\n\n**Unavailable**: ${entry.reason ?? 'failed to start'}`;
        await context.emit.markdown(`### ${h.name}: ${h.verbs.map((v) => `%${v}%`).join(', ')}\n\n${h.synopsis}${state}\n\n${h.help}`);
        return;
      }
      await context.emit.table({
        title: 'Commands',
        columns: [
          { key: 'handler', label: 'Handler' },
          { key: 'verbs', label: 'Verbs' },
          { key: 'synopsis', label: 'Synopsis' },
          { key: 'available', label: 'Available' },
        ],
        rows: entries.map((e) => [
          e.handler.name,
          e.handler.verbs.map((v) => `%${v}%`).join(' '),
          e.handler.synopsis,
          e.available ? 'yes' : `no: ${e.reason ?? 'failed to start'}`,
        ]),
      });
    },
  };
}
