/**
 * Public entry point of the OCI-P (BroadWorks) side of thors-hammer (`thors-hammer/oci`): the
 * schema loader, codec, validation, table helpers, transports, client and session pool, and their
 * errors. Re-exports only; each module documents itself (docs/oci-*.md).
 */
export { OciSchema } from './schema.js';
export type {
  AttributeMeta,
  ChoiceMeta,
  ComplexType,
  ComplexTypeMeta,
  ElementMeta,
  Facets,
  ModuleEntry,
  Particle,
  ReleaseIndex,
  SequenceMeta,
  SimpleType,
  SimpleTypeMeta,
  TypeMeta,
  TypeRole,
} from './meta.js';
export {
  MAX_COMMANDS,
  decodeCommand,
  decodeDocument,
  decodeDocumentLoading,
  documentBytes,
  documentText,
  ociJsonReplacer,
  type DocumentDecodeOptions,
  encodeCommand,
  encodeDocument,
  type EncodeOptions,
  type OciCommand,
  type OciDocument,
} from './codec.js';
export { collectIssues, validateCommand } from './validate.js';
export { FLOAT_BUILTINS, INTEGER_BUILTINS, INTEGER_RANGES, NUMERIC_BUILTINS, isNumericBuiltin, type IntegerRange } from './builtins.js';
export {
  LATEST_SUFFIX,
  compareVersionKeys,
  isReadOnlyRequest,
  nearestNames,
  newestOfFamily,
  pairedResponseName,
  parseCommandName,
  requestClassNames,
  requestFamilyNames,
  requireTypeName,
  resolveRequestName,
  suggestFieldNames,
  suggestTypeNames,
  type ResolvedRequestName,
  type VersionKey,
} from './names.js';
export {
  OciFieldArgumentError,
  OciPathError,
  OciRequestBuildError,
  RequestPlan,
  buildRequest,
  buildRequestOrThrow,
  fieldMembers,
  fieldNames,
  formatBuildIssue,
  parseCliAssignment,
  parsePath,
  prepareRequestType,
  type BuildIssue,
  type BuildIssueCode,
  type BuildOptions,
  type BuildResult,
  type FieldAssignment,
  type FieldMember,
  type FieldValue,
  type PathStep,
} from './request-builder.js';
export {
  alignedTable,
  isOciTable,
  recordKeys,
  responseCsv,
  responseFields,
  responseTables,
  firstTableRecords,
  tableRecordsAt,
  responseText,
  tableRecords,
  toJsonText,
  toJsonValue,
  type JsonValueOptions,
  type ResponseTable,
} from './present.js';
export { projectOntoType, type Projection } from './project.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml/reader.js';
export { sampleCommand, sampleValue, type SampleOptions } from './sample.js';
export { OciTableError, camelKey, column, tableToCsv, tableToJson, toRecords, type OciTable } from './table.js';
export { signedPassword } from './auth.js';
export {
  OciDecodeError,
  OciDocumentEncodingError,
  OciEncodeError,
  OciHostileXmlError,
  OciLimitError,
  OciReleaseNameError,
  OciTypeNotLoadedError,
  OciUnknownTypeError,
  OciValidationError,
  type OciIssue,
} from './errors.js';
export {
  OciClientClosedError,
  OciClientOptionsError,
  OciError,
  OciInsecureLoginError,
  OciLoginError,
  OciNotConnectedError,
  OciPagingError,
  OciResponseMismatchError,
  OciServerLogoutError,
  errorNumberOf,
  type OciErrorResponse,
} from './oci-error.js';
export {
  MAX_COMMANDS_PER_DOCUMENT,
  OciClient,
  newestGeneratedRelease,
  type BatchResult,
  type FieldsOf,
  type LoginStrategy,
  type OciClientOptions,
  type OciClientStats,
  type OciLogger,
  type OciPage,
  type OciResponse,
  type OciTypeMap,
  type OciTypes,
  type RequestName,
  type ResponseFor,
  type UntypedOci,
} from './client.js';
export { OciSessionPool, type OciSessionPoolOptions } from './client/pool.js';
export * from './transport/index.js';
