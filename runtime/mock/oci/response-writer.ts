import { MAX_COMMANDS, type OciCommand } from '../../oci/codec.js';
import type { ChoiceMeta, ComplexTypeMeta, ElementMeta, Particle } from '../../oci/meta.js';
import { type OciSchema, allowedKeys, choiceProp, derivesFrom, isArrayElement, isRepeatingChoice, particleKeys, particlePresent } from '../../oci/schema.js';
import { chooseBranch } from '../../oci/validate.js';
import { escapeAttribute, escapeText, findInvalidXmlChar } from '../../oci/xml/escape.js';
import { XSI_NS } from '../../oci/xml/reader.js';
import { referenceBeyond } from '../../oci/xml/text.js';

/**
 * Writes the mock's response documents: the same text `encodeDocument(schema, doc, { encoding:
 * 'ISO-8859-1', validate: false })` gives, in a fraction of its time. Answers are validated when
 * they are built (respond.ts), so this writer checks nothing the codec's encoder would check a
 * second time; it walks a plan worked out once per type (tag text, nesting, array or not) instead
 * of the metadata, and keeps the text of each answer object it wrote, so an answer served again
 * (a shared, cached or synthesised one) costs only its echo. Anything unusual it declines (a value
 * of an unexpected kind, a character XML cannot carry, a number that is not a safe integer):
 * the engine then encodes the document with the codec, whose result or error is the reference.
 */
export class ResponseWriter {
  /** The text of an answer's `<command` element after its echo attribute (answers are never changed once built). */
  private readonly written = new WeakMap<object, string>();
  private readonly plans = new Map<string, TypePlan>();
  private readonly particlePlans = new WeakMap<Particle, readonly Step[]>();

  constructor(private readonly schema: OciSchema) {}

  /**
   * A whole response document: the declaration, the envelope with `identity` (exactly one of
   * sessionId, userId, phoneNumber, linePort, then an optional trackingId) and one command per
   * answer, each with its echo. Characters beyond Latin-1 are written as character references.
   * @throws WriterDeclined where the codec must write the document instead.
   */
  document(identity: DocumentIdentity, answers: readonly OciCommand[], echoes: readonly string[]): string {
    let identityKey: (typeof identityKeys)[number] | undefined;
    for (const key of identityKeys) {
      if (identity[key] === undefined) continue;
      if (identityKey !== undefined) throw declined;
      identityKey = key;
    }
    if (identityKey === undefined || answers.length < 1 || answers.length > maxCommands) throw declined;
    let out = `${documentStart}<${identityKey} xmlns="">${text(identity[identityKey] as string)}</${identityKey}>`;
    if (identity.trackingId !== undefined) out += `<trackingId xmlns="">${text(identity.trackingId)}</trackingId>`;
    for (let i = 0; i < answers.length; i++) out += `<command echo="${attribute(echoes[i] as string)}"${this.command(answers[i] as OciCommand)}`;
    return `${out}</BroadsoftDocument>`;
  }

  /** Writes an answer now (it is kept with the answer); its length, or -1 when the codec has to write it. */
  prepare(answer: OciCommand): number {
    try {
      return this.command(answer).length;
    } catch {
      return -1;
    }
  }

  /** Everything of a `<command>` element after its echo attribute, written once per answer object. */
  private command(answer: OciCommand): string {
    let written = this.written.get(answer);
    if (written === undefined) {
      written = flattened(this.commandText(answer));
      this.written.set(answer, written);
    }
    return written;
  }

  private commandText(answer: OciCommand): string {
    if (typeof answer !== 'object' || answer === null || typeof answer.$type !== 'string' || !this.schema.has(answer.$type)) throw declined;
    const plan = this.plan(answer.$type);
    if (plan.commandType === undefined) throw declined;
    const record = answer as Record<string, unknown>;
    const attributes = plan.attributes(record, 'echo');
    const content = this.content(plan, record);
    return content === '' ? `${attributes}${plan.commandType}/>` : `${attributes}${plan.commandType}>${content}</command>`;
  }

  private plan(typeKey: string): TypePlan {
    let plan = this.plans.get(typeKey);
    if (!plan) {
      const meta = this.schema.complexType(typeKey);
      plan = new TypePlan(meta, this.steps(meta.content));
      this.plans.set(typeKey, plan);
    }
    return plan;
  }

  /** The steps of a list of particles, sequences flattened into their parent (the codec writes them in place too). */
  private steps(particles: readonly Particle[]): Step[] {
    const out: Step[] = [];
    for (const particle of particles) {
      if ('n' in particle) out.push(this.elementStep(particle));
      else if ('seq' in particle) out.push(...this.steps(particle.seq));
      else out.push(new ChoiceStep(particle));
    }
    return out;
  }

  private elementStep(element: ElementMeta): ElementStep {
    const t = element.t;
    if (t === 'xs:anyType') return new ElementStep(element, 'flag', '');
    if (this.schema.simpleType(t)) return new ElementStep(element, 'simple', '');
    const meta = this.schema.complexType(t);
    // Nil still needs a concrete type on an abstract element; the codec names the first subtype.
    return new ElementStep(element, 'complex', meta.abstract ? ` xsi:type="${meta.subtypes?.[0] ?? t}"` : '');
  }

  private particleSteps(particle: Particle): readonly Step[] {
    let steps = this.particlePlans.get(particle);
    if (!steps) {
      steps = this.steps([particle]);
      this.particlePlans.set(particle, steps);
    }
    return steps;
  }

  /** The children of a complex value (after the codec's check that it has no member its type lacks). */
  private content(plan: TypePlan, record: Record<string, unknown>): string {
    for (const key in record) {
      if (!plan.allowed.has(key) && record[key] !== undefined) throw declined;
    }
    return this.writeSteps(plan.steps, record);
  }

  private writeSteps(steps: readonly Step[], record: Record<string, unknown>): string {
    let out = '';
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as Step;
      if (step instanceof ElementStep) {
        const value = record[step.name];
        if (value === undefined) continue;
        if (step.array) {
          if (!Array.isArray(value)) throw declined;
          for (let k = 0; k < value.length; k++) out += this.element(step, value[k]);
        } else {
          if (Array.isArray(value)) throw declined;
          out += this.element(step, value);
        }
      } else out += this.choice(step, record);
    }
    return out;
  }

  private choice(step: ChoiceStep, record: Record<string, unknown>): string {
    const choice = step.choice;
    if (step.repeating) {
      const items = record[step.prop];
      if (items === undefined) return '';
      if (!Array.isArray(items)) throw declined;
      let out = '';
      for (const item of items) {
        if (!isPlainObject(item)) throw declined;
        for (const key of Object.keys(item)) if (item[key] !== undefined && !choice.choice.some((b) => particleKeys(b).has(key))) throw declined;
        out += this.writeSteps(this.particleSteps(this.branch(choice, item)), item);
      }
      return out;
    }
    if (!choice.choice.some((b) => particlePresent(b, record))) return '';
    return this.writeSteps(this.particleSteps(this.branch(choice, record)), record);
  }

  private branch(choice: ChoiceMeta, record: Record<string, unknown>): Particle {
    const { branch } = chooseBranch(this.schema, choice, record);
    if (!branch) throw declined;
    return branch;
  }

  private element(step: ElementStep, value: unknown): string {
    if (value === undefined) return '';
    if (value === null) return step.nil;
    switch (step.kind) {
      case 'flag':
        if (value !== true) throw declined;
        return step.empty;
      case 'simple': {
        const written = text(lexical(value));
        return written === '' ? step.empty : `${step.open}${written}${step.close}`;
      }
      default:
        return this.complexElement(step, value);
    }
  }

  private complexElement(step: ElementStep, value: unknown): string {
    if (!isPlainObject(value)) throw declined;
    const declaredKey = step.type;
    let plan = this.plan(declaredKey);
    let typeAttribute = '';
    const actualKey = value.$type;
    if (actualKey !== undefined && actualKey !== declaredKey) {
      if (typeof actualKey !== 'string' || !this.schema.has(actualKey) || !derivesFrom(this.schema, actualKey, declaredKey)) throw declined;
      plan = this.plan(actualKey);
      typeAttribute = plan.typeAttribute;
    }
    if (plan.meta.abstract) throw declined;
    const attributes = plan.attributes(value);
    const content = this.content(plan, value);
    const open = `<${step.name}${typeAttribute}${attributes}`;
    return content === '' ? `${open}/>` : `${open}>${content}${step.close}`;
  }
}

/** Why the writer left a document to the codec (not an Error: no stack is needed, the codec takes over). */
export class WriterDeclined {
  readonly reason = 'left to the codec';
}
const declined = new WriterDeclined();

/** The identity members of a response document, as the engine collects them from the request. */
export interface DocumentIdentity {
  sessionId?: string;
  userId?: string;
  phoneNumber?: string;
  linePort?: string;
  trackingId?: string;
}

const identityKeys = ['sessionId', 'userId', 'phoneNumber', 'linePort'] as const;
const maxCommands = MAX_COMMANDS;
const documentStart = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<BroadsoftDocument protocol="OCI" xmlns="C" xmlns:xsi="${XSI_NS}">`;

/** What writing a complex type needs, worked out once per type. */
class TypePlan {
  readonly allowed: ReadonlySet<string>;
  /** For a request or response type: the rest of its `<command` start tag after the attributes. */
  readonly commandType: string | undefined;
  /** ` xsi:type="…"` when a value of this type stands where a base type is declared. */
  readonly typeAttribute: string;
  private readonly attributeNames: readonly string[];

  constructor(
    readonly meta: ComplexTypeMeta,
    readonly steps: readonly Step[],
  ) {
    this.allowed = allowedKeys(meta);
    const prefixed = meta.ns === 'C' ? `c:${meta.name}" xmlns:c="C` : meta.name;
    this.typeAttribute = ` xsi:type="${prefixed}"`;
    this.attributeNames = (meta.attrs ?? []).map((a) => a.n);
    // Responses as a real server writes them: attributes first (echo the first), core responses with a `c:` prefix.
    const echoFirst = this.attributeNames[0] === 'echo';
    this.commandType = meta.role === 'response' && !meta.abstract && echoFirst ? ` xsi:type="${prefixed}" xmlns=""` : undefined;
  }

  /** The attributes a value sets, in schema order (`skip`: one written by the caller). */
  attributes(value: Record<string, unknown>, skip?: string): string {
    let out = '';
    for (const name of this.attributeNames) {
      if (name === skip) continue;
      const v = value[name];
      if (v === undefined) continue;
      if (v === null) throw declined;
      out += ` ${name}="${attribute(lexical(v))}"`;
    }
    return out;
  }
}

type Step = ElementStep | ChoiceStep;

class ElementStep {
  readonly name: string;
  readonly type: string;
  readonly array: boolean;
  readonly open: string;
  readonly close: string;
  readonly empty: string;
  readonly nil: string;

  constructor(
    element: ElementMeta,
    readonly kind: 'flag' | 'simple' | 'complex',
    nilTypeAttribute: string,
  ) {
    this.name = element.n;
    this.type = element.t;
    this.array = isArrayElement(element);
    this.open = `<${element.n}>`;
    this.close = `</${element.n}>`;
    this.empty = `<${element.n}/>`;
    this.nil = `<${element.n}${nilTypeAttribute} xsi:nil="true"/>`;
  }
}

class ChoiceStep {
  readonly repeating: boolean;
  readonly prop: string;
  constructor(readonly choice: ChoiceMeta) {
    this.repeating = isRepeatingChoice(choice);
    this.prop = choiceProp(choice);
  }
}

/** The lexical form of a scalar in the common cases (as the codec writes them, whatever the built-in); the codec handles the rest. */
function lexical(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw declined;
}

/** Anything in text that needs escaping or a character reference, or that XML cannot carry (then the codec decides). */
const TEXT_NEEDS_WORK = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\u0100-\uffff]/;
const ATTRIBUTE_NEEDS_WORK = /[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\u0100-\uffff]/;

function text(value: string): string {
  if (!TEXT_NEEDS_WORK.test(value)) return value;
  if (findInvalidXmlChar(value) !== -1) throw declined;
  return referenceBeyond(escapeText(value));
}

function attribute(value: string): string {
  if (!ATTRIBUTE_NEEDS_WORK.test(value)) return value;
  if (findInvalidXmlChar(value) !== -1) throw declined;
  return referenceBeyond(escapeAttribute(value));
}

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
