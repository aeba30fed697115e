import type { HandlerInfo } from './api.js';

/** The input box's helpers: hints from the handler registry, and the command line of an action (no DOM). */

export interface Hint {
  label: string;
  text: string;
  title?: string;
  insert?: string;
  available: boolean;
}

/** Hints for the first line: matching verbs while the verb is typed, then the handler's synopsis. */
export function hintsFor(text: string, handlers: HandlerInfo[]): Hint[] {
  const firstLine = text.split('\n', 1)[0] ?? '';
  const typing = /^%([a-z0-9_-]*)$/i.exec(firstLine.trimEnd());
  if (firstLine === '' || typing) {
    const prefix = (typing?.[1] ?? '').toLowerCase();
    // Nothing typed yet: the verbs alone (synopsis on hover); a prefix: the matching verbs with their synopsis.
    return handlers.flatMap((h) =>
      h.verbs
        .filter((v) => v.startsWith(prefix))
        .map((v) => ({ label: `%${v}%`, text: typing ? h.synopsis : '', insert: `%${v}% `, available: h.available, title: h.reason ?? h.synopsis })),
    );
  }
  const verb = /^%([^%\s]+)%/.exec(firstLine)?.[1]?.toLowerCase();
  if (!verb) return [{ label: '?', text: 'a command starts with a verb between percent signs, e.g. %help%', available: true }];
  const handler = handlers.find((h) => h.verbs.includes(verb));
  if (!handler) return [{ label: `%${verb}%`, text: 'unknown verb: see %help%', available: false }];
  const usage = handler.help
    .split('\n')
    .map((l) => l.trim().replace(/^[-*`]+\s*|`/g, ''))
    .filter((l) => l.startsWith(`%${verb}%`))
    .slice(0, 6);
  const lines = usage.length > 0 ? usage : [handler.synopsis];
  return lines.map((l) => ({
    label: `%${verb}%`,
    text: l.slice(`%${verb}%`.length).trim() || handler.synopsis,
    available: handler.available,
    title: handler.reason,
  }));
}

/** Quotes a string for a POSIX shell (single quotes; an embedded quote becomes '\''). */
export function shellQuote(text: string): string {
  return /^[\w@%./:=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
