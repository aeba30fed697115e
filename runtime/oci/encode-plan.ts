/**
 * The codec's encoding path for commands: a plan per type, worked out once from the metadata (tag
 * text, nesting, array or not, the start tag of a command), walked instead of the metadata for
 * every value. It writes exactly the text of the reference walk in codec.ts (`Encoder`) and checks
 * nothing itself: anything unusual (an error the walk reports, a value of an unexpected kind, a
 * character XML cannot carry, a number that is not a safe integer) makes it decline, and the walk
 * then writes the command or throws its typed error. Plans follow the schema's lazy loading: a
 * type is looked up only when a value of it is written, as the walk does.
 */
import { type OciCommand, isPlainObject } from './values.js';
import type { ChoiceMeta, ComplexTypeMeta, ElementMeta, Particle } from './meta.js';
import { allowedKeys, choiceProp, derivesFrom, isArrayElement, isRepeatingChoice, type OciSchema, particleKeys, particlePresent } from './schema.js';
import { chooseBranch } from './validate.js';
import { escapeAttribute, escapeText, findInvalidXmlChar } from './xml/escape.js';

/** Why the plan left a command to the walk (not an Error: no stack is needed, the walk takes over). */
class PlanDeclined {
  readonly reason = 'left to the metadata walk';
}
const declined = new PlanDeclined();

const plans = new WeakMap<OciSchema, EncodePlan>();

/** The plans of a schema (one set per schema object, kept as long as the schema). */
export function encodePlanOf(schema: OciSchema): EncodePlan {
  let plan = plans.get(schema);
  if (plan === undefined) {
    plan = new EncodePlan(schema);
    plans.set(schema, plan);
  }
  return plan;
}

export class EncodePlan {
  private readonly types = new Map<string, TypePlan>();
  private readonly particlePlans = new WeakMap<Particle, readonly Step[]>();

  constructor(private readonly schema: OciSchema) {}

  /** The `<command>` element as the walk writes it, or undefined when the walk has to write it (or report its error). */
  command(command: OciCommand): string | undefined {
    try {
      return this.commandText(command);
    } catch {
      return undefined;
    }
  }

  private commandText(command: OciCommand): string {
    if (typeof command !== 'object' || command === null || typeof command.$type !== 'string' || !this.schema.has(command.$type)) throw declined;
    const plan = this.plan(command.$type);
    const record = command as Record<string, unknown>;
    const attributes = plan.attributes(record);
    const content = this.content(plan, record);
    // Requests as in the protocol reference; responses like a real server (attributes first, core responses with a `c:` prefix).
    const open =
      plan.commandRole === 'request'
        ? `${plan.commandOpen}${attributes}`
        : plan.commandRole === 'response'
          ? `<command${attributes}${plan.commandOpen}`
          : undefined;
    if (open === undefined) throw declined;
    return content === '' ? `${open}/>` : `${open}>${content}</command>`;
  }

  private plan(typeKey: string): TypePlan {
    let plan = this.types.get(typeKey);
    if (!plan) {
      const meta = this.schema.complexType(typeKey);
      const commandRole =
        meta.abstract || (meta.role === undefined && !derivesFrom(this.schema, typeKey, 'OCICommand'))
          ? undefined
          : meta.role === 'request'
            ? 'request'
            : 'response';
      plan = new TypePlan(meta, this.steps(meta.content), commandRole);
      this.types.set(typeKey, plan);
    }
    return plan;
  }

  /** The steps of a list of particles, sequences flattened into their parent (the walk writes them in place too). */
  private steps(particles: readonly Particle[]): Step[] {
    const out: Step[] = [];
    for (const particle of particles) {
      if ('n' in particle) out.push(new ElementStep(particle));
      else if ('seq' in particle) out.push(...this.steps(particle.seq));
      else out.push(new ChoiceStep(particle));
    }
    return out;
  }

  private particleSteps(particle: Particle): readonly Step[] {
    let steps = this.particlePlans.get(particle);
    if (!steps) {
      steps = this.steps([particle]);
      this.particlePlans.set(particle, steps);
    }
    return steps;
  }

  /** The children of a complex value (declining a member its type lacks: the walk reports it). */
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
        if (step.kind === undefined) step.resolve(this.schema);
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

/** What writing a complex type needs, worked out once per type. */
class TypePlan {
  readonly allowed: ReadonlySet<string>;
  /** ` xsi:type="…"` when a value of this type stands where a base type is declared. */
  readonly typeAttribute: string;
  /** For a concrete command type: the fixed part of its `<command` start tag (before the attributes of a request, after those of a response). */
  readonly commandOpen: string;
  private readonly attributeNames: readonly string[];

  constructor(
    readonly meta: ComplexTypeMeta,
    readonly steps: readonly Step[],
    readonly commandRole: 'request' | 'response' | undefined,
  ) {
    this.allowed = allowedKeys(meta);
    const prefixed = meta.ns === 'C' ? `c:${meta.name}" xmlns:c="C` : meta.name;
    this.typeAttribute = ` xsi:type="${prefixed}"`;
    this.attributeNames = (meta.attrs ?? []).map((a) => a.n);
    this.commandOpen = commandRole === 'request' ? `<command xmlns="" xsi:type="${meta.name}"` : ` xsi:type="${prefixed}" xmlns=""`;
  }

  /** The attributes a value sets, in schema order. */
  attributes(value: Record<string, unknown>): string {
    let out = '';
    for (const name of this.attributeNames) {
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
  /** Found on the first value (the type may live in a module not loaded yet); undefined until then. */
  kind: 'flag' | 'simple' | 'complex' | undefined;
  nil = '';

  constructor(element: ElementMeta) {
    this.name = element.n;
    this.type = element.t;
    this.array = isArrayElement(element);
    this.open = `<${element.n}>`;
    this.close = `</${element.n}>`;
    this.empty = `<${element.n}/>`;
  }

  resolve(schema: OciSchema): void {
    const t = this.type;
    let nilTypeAttribute = '';
    let kind: 'flag' | 'simple' | 'complex';
    if (t === 'xs:anyType') kind = 'flag';
    else if (schema.simpleType(t)) kind = 'simple';
    else {
      kind = 'complex';
      const meta = schema.complexType(t);
      // Nil still needs a concrete type on an abstract element; the walk names the first subtype.
      if (meta.abstract) nilTypeAttribute = ` xsi:type="${meta.subtypes?.[0] ?? t}"`;
    }
    this.nil = `<${this.name}${nilTypeAttribute} xsi:nil="true"/>`;
    this.kind = kind;
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

/** The lexical form of a scalar in the common cases (as the walk writes them, whatever the built-in); the walk handles the rest. */
function lexical(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw declined;
}

/** Anything in text that needs escaping, or that XML may not carry (then the walk reports it). */
const TEXT_NEEDS_WORK = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;
const ATTRIBUTE_NEEDS_WORK = /[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

function text(value: string): string {
  if (!TEXT_NEEDS_WORK.test(value)) return value;
  if (findInvalidXmlChar(value) !== -1) throw declined;
  return escapeText(value);
}

function attribute(value: string): string {
  if (!ATTRIBUTE_NEEDS_WORK.test(value)) return value;
  if (findInvalidXmlChar(value) !== -1) throw declined;
  return escapeAttribute(value);
}
