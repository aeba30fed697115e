/**
 * A small, strict scanner that cuts a BroadsoftDocument into its raw parts without
 * interpreting commands. The mock uses it only when the codec rejects a whole document, to
 * find out which command of the batch is at fault: each command is then decoded alone, so
 * one bad command gives one `[Error 6004]` and the others still run (oci-protocol.md §4.3).
 *
 * Why not the codec's reader (runtime/oci/xml/reader.ts): that one is strict by design (unbound
 * prefixes, bad attributes and entities stop it), and this one must get past exactly those faults
 * inside a command to blame that command alone; it checks only how tags nest. It is iterative and
 * linear, like the others (docs/oci-transport.md, "Limits and hostile input").
 */
export interface RawEnvelope {
  /** The root start tag as sent (keeps its namespace declarations). */
  readonly rootStart: string;
  /** The root end tag (`</BroadsoftDocument>`, possibly prefixed). */
  readonly rootEnd: string;
  /** Raw non-command children (sessionId, trackingId, …), concatenated. */
  readonly header: string;
  /** Raw `<command …>…</command>` elements, in order. */
  readonly commands: readonly string[];
  readonly sessionId?: string;
  readonly trackingId?: string;
}

/** Thrown for text that is not a well-formed BroadsoftDocument (message says where). */
export class EnvelopeSyntaxError extends Error {}

export function splitEnvelope(text: string): RawEnvelope {
  let pos = skipProlog(text, 0);
  if (text.startsWith('<!DOCTYPE', pos)) throw new EnvelopeSyntaxError('DOCTYPE declarations are not allowed');
  if (text[pos] !== '<') throw new EnvelopeSyntaxError(`expected the BroadsoftDocument element at offset ${pos}`);
  const rootTag = readTag(text, pos);
  const rootName = tagName(rootTag.text);
  if (localName(rootName) !== 'BroadsoftDocument') throw new EnvelopeSyntaxError(`root element is <${rootName}>, expected <BroadsoftDocument>`);
  const rootStart = rootTag.text;
  if (rootTag.selfClosing) return { rootStart, rootEnd: '', header: '', commands: [] };
  pos = rootTag.end;
  let header = '';
  const commands: string[] = [];
  let sessionId: string | undefined;
  let trackingId: string | undefined;
  for (;;) {
    pos = skipMisc(text, pos);
    if (pos >= text.length) throw new EnvelopeSyntaxError('document ends before </BroadsoftDocument>');
    if (text.startsWith('</', pos)) {
      const close = text.indexOf('>', pos);
      if (close < 0) throw new EnvelopeSyntaxError('unterminated end tag');
      const name = text.slice(pos + 2, close).trim();
      if (name !== rootName) throw new EnvelopeSyntaxError(`mismatched end tag </${name}>, expected </${rootName}>`);
      const rest = skipMisc(text, close + 1);
      if (rest < text.length) throw new EnvelopeSyntaxError(`content after </${rootName}> at offset ${rest}`);
      return { rootStart, rootEnd: text.slice(pos, close + 1), header, commands, sessionId, trackingId };
    }
    if (text[pos] !== '<') throw new EnvelopeSyntaxError(`unexpected text in BroadsoftDocument at offset ${pos}`);
    const end = skipElement(text, pos);
    const raw = text.slice(pos, end);
    const name = localName(tagName(readTag(text, pos).text));
    if (name === 'command') commands.push(raw);
    else {
      header += raw;
      if (name === 'sessionId') sessionId = innerText(raw);
      if (name === 'trackingId') trackingId = innerText(raw);
    }
    pos = end;
  }
}

/** The `xsi:type` value of a raw command start tag (any prefix), for error details. */
export function rawCommandType(rawCommand: string): string | undefined {
  const start = rawCommand.slice(0, rawCommand.indexOf('>') + 1);
  const match = /\s[A-Za-z_][\w.-]*:type\s*=\s*(["'])(.*?)\1/.exec(start);
  return match?.[2];
}

function skipProlog(text: string, pos: number): number {
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  return skipMisc(text, pos);
}

/** Skips whitespace, comments and processing instructions. */
function skipMisc(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    if (text.startsWith('<?', pos)) pos = after(text, '?>', pos);
    else if (text.startsWith('<!--', pos)) pos = after(text, '-->', pos);
    else return pos;
  }
}

function after(text: string, marker: string, pos: number): number {
  const i = text.indexOf(marker, pos);
  if (i < 0) throw new EnvelopeSyntaxError(`unterminated markup at offset ${pos} (missing "${marker}")`);
  return i + marker.length;
}

/** Reads a start tag beginning at `pos` (respecting quoted attribute values). */
function readTag(text: string, pos: number): { text: string; end: number; selfClosing: boolean } {
  let quote = '';
  for (let i = pos + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '<') throw new EnvelopeSyntaxError(`"<" inside a tag at offset ${i}`);
    else if (c === '>') return { text: text.slice(pos, i + 1), end: i + 1, selfClosing: text[i - 1] === '/' };
  }
  throw new EnvelopeSyntaxError(`unterminated tag at offset ${pos}`);
}

/** Returns the offset just after the element starting at `pos`, checking that tags nest. */
function skipElement(text: string, pos: number): number {
  const first = readTag(text, pos);
  if (first.selfClosing) return first.end;
  const stack = [tagName(first.text)];
  pos = first.end;
  while (stack.length > 0) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) throw new EnvelopeSyntaxError(`element <${stack[stack.length - 1]}> is not closed`);
    if (text.startsWith('<!--', lt)) pos = after(text, '-->', lt);
    else if (text.startsWith('<![CDATA[', lt)) pos = after(text, ']]>', lt);
    else if (text.startsWith('<?', lt)) pos = after(text, '?>', lt);
    else if (text.startsWith('<!', lt)) throw new EnvelopeSyntaxError(`markup declarations are not allowed (offset ${lt})`);
    else if (text.startsWith('</', lt)) {
      const close = text.indexOf('>', lt);
      if (close < 0) throw new EnvelopeSyntaxError(`unterminated end tag at offset ${lt}`);
      const name = text.slice(lt + 2, close).trim();
      const open = stack.pop();
      if (name !== open) throw new EnvelopeSyntaxError(`mismatched end tag </${name}> at offset ${lt}, expected </${open}>`);
      pos = close + 1;
    } else {
      const tag = readTag(text, lt);
      if (!tag.selfClosing) stack.push(tagName(tag.text));
      pos = tag.end;
    }
  }
  return pos;
}

function tagName(startTag: string): string {
  const match = /^<([^\s/>]+)/.exec(startTag);
  if (!match) throw new EnvelopeSyntaxError(`bad tag ${startTag.slice(0, 40)}`);
  return match[1];
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function innerText(raw: string): string | undefined {
  const open = raw.indexOf('>');
  const close = raw.lastIndexOf('</');
  if (open < 0 || close < open) return '';
  return raw
    .slice(open + 1, close)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
