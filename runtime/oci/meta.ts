/**
 * The runtime metadata contract between the OCI-P generator (codegen/oci) and the generic
 * codec, validator and mock server (runtime/oci, runtime/mock). Generated modules under
 * generated/oci/<release>/ export one descriptor constant per XSD type, typed with these
 * interfaces; the codec walks them. This is the "codegen v1" surface: change it only
 * together with the generator.
 *
 * Type keys: every type is keyed by its XSD local name, except that a simple type whose
 * name exists both in namespace `C` and in no namespace (only `NonEmptyToken`) is keyed
 * `C:<name>` for the `C` one. Anonymous types get the key `<OwnerType>_<element>`.
 * Built-in XSD types are referenced as `xs:<name>` (`xs:anyType` for untyped elements).
 *
 * In-memory (and JSON) form of values, which the codec produces and accepts:
 * - a command or any complex value is a plain object whose keys are the exact XML element
 *   names; attributes (`echo`, `type`, `requestLocale`) are plain keys too;
 * - `$type` names the concrete type; required on commands and on abstract-typed values;
 * - `null` means `xsi:nil="true"`; an absent key means the element is omitted;
 * - xs:boolean → boolean; xs:int, xs:long, xs:integer, xs:decimal, xs:float, xs:double → number;
 *   every other simple type → string (enumeration values kept exactly, e.g. "Equal To");
 *   an untyped (`xs:anyType`) flag element → `true`;
 * - maxOccurs > 1 → array;
 * - a choice that occurs at most once puts the members of its chosen branch directly on
 *   the parent object; a repeating choice (maxOccurs > 1) becomes an array property named
 *   by `ChoiceMeta.prop`, each item an object holding one branch's members;
 * - a `C:OCITable` value is `{ colHeading: string[]; row: { col: string[] }[] }` with `""` for `<col/>`.
 */

/** A child particle of a content model, in schema order. */
export type Particle = ElementMeta | ChoiceMeta | SequenceMeta;

/** Occurrence: `min` defaults to 1, `max` defaults to 1, `max: -1` means unbounded. */
export interface Occurs {
  readonly min?: number;
  readonly max?: number;
}

/** A local element (always in no namespace on the wire). */
export interface ElementMeta extends Occurs {
  /** XML element name, also the property name. */
  readonly n: string;
  /** Type key (see above). */
  readonly t: string;
  readonly nil?: true;
  readonly fixed?: string;
  readonly def?: string;
  /** The name as the XSD text spells it, set only when it has surrounding whitespace that `n` drops (R24 `permissiveOACDialing `); for `oci diff`. */
  readonly spelled?: string;
}

export interface ChoiceMeta extends Occurs {
  /** Branches: elements or sequences. No two branches start with the same element. */
  readonly choice: readonly Particle[];
  /** For a repeating choice (max > 1 or -1): the synthetic property holding the ordered list of branch objects. */
  readonly prop?: string;
}

export interface SequenceMeta extends Occurs {
  readonly seq: readonly Particle[];
}

export interface AttributeMeta {
  readonly n: string;
  readonly t: string;
  readonly req?: true;
  readonly fixed?: string;
  readonly def?: string;
}

export interface Facets {
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Numbers for numeric bases; kept as strings in XSD order otherwise. */
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
  readonly minExclusive?: number;
  readonly maxExclusive?: number;
  /** Each entry must match the whole value (entries of one derivation step are already OR-joined). XSD regex syntax. */
  readonly pattern?: readonly string[];
  readonly enumeration?: readonly string[];
  readonly whiteSpace?: 'preserve' | 'replace' | 'collapse';
}

export type TypeRole = 'request' | 'response' | 'core';

export interface ComplexTypeMeta {
  readonly kind: 'complex';
  /** Type key. */
  readonly name: string;
  /** Set for types of namespace `C` (the core types in OCISchemaBASE.xsd). */
  readonly ns?: 'C';
  /** request: derives from C:OCIRequest; response: from C:OCIDataResponse (or a core response); absent: a data type. */
  readonly role?: TypeRole;
  readonly abstract?: true;
  readonly deprecated?: true;
  /** Extension (or restriction) base type key. */
  readonly base?: string;
  /** For abstract types: the concrete types deriving from it, sorted. */
  readonly subtypes?: readonly string[];
  /** Full content in wire order: inherited particles first, then the type's own. */
  readonly content: readonly Particle[];
  /** All attributes, inherited ones included. */
  readonly attrs?: readonly AttributeMeta[];
  /** Requests: the paired data response type key; absent when the answer is SuccessResponse/ErrorResponse. */
  readonly response?: string;
  /** Requests and responses: family key (`UserGetRequest`, `SystemPasswordRulesGetRequestRI`) and version (`22V5`, `` for none). */
  readonly family?: string;
  readonly version?: string;
  /** Name of the XSD file (relative to the release folder) that declares the type. */
  readonly file: string;
}

export interface SimpleTypeMeta {
  readonly kind: 'simple';
  readonly name: string;
  readonly ns?: 'C';
  /** The XSD built-in at the root of the restriction chain, e.g. `xs:token`, `xs:int`. */
  readonly base: string;
  /** Facets of the whole restriction chain, merged (the most restrictive wins). */
  readonly facets?: Facets;
  readonly deprecated?: true;
  readonly file: string;
}

export type TypeMeta = ComplexTypeMeta | SimpleTypeMeta;

/** A descriptor constant typed with the TypeScript shape it describes (phantom `T`), as protobuf-es does. */
export type ComplexType<T = unknown> = ComplexTypeMeta & { readonly __shape?: T };
export type SimpleType<T = unknown> = SimpleTypeMeta & { readonly __shape?: T };

/** One generated module (one per XSD file). */
export interface ModuleEntry {
  /** Loads the module; its exports include one descriptor per type, named by `exportName(typeKey)`. */
  readonly load: () => Promise<Record<string, unknown>>;
  /** Other modules whose types this module's types reference (direct dependencies). */
  readonly deps: readonly string[];
}

/** The lazily loading dispatch table of one release: `generated/oci/<release>/index.ts` exports it as `index`. */
export interface ReleaseIndex {
  readonly release: string;
  readonly modules: Readonly<Record<string, ModuleEntry>>;
  /** Type key → module name. Covers every named and anonymous type of the release. */
  readonly types: Readonly<Record<string, string>>;
  /** Request family → newest request type key (`UserGetRequest` → `UserGetRequest23V2`). */
  readonly latest: Readonly<Record<string, string>>;
  readonly counts: {
    readonly requests: number;
    readonly dataResponses: number;
    readonly complexTypes: number;
    readonly simpleTypes: number;
  };
}

/** Name of the exported descriptor constant (and TS type) for a type key: `C:NonEmptyToken` → `C_NonEmptyToken`. */
export function exportName(typeKey: string): string {
  return typeKey.replace(':', '_');
}
