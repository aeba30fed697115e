/**
 * Public entry point of the vBox (VTU) side of thors-hammer: the client, its options and
 * errors, the frame codec and framer, the response decoder, and the generated request /
 * response classes and enumerations.
 */
export {
  VboxClient,
  type VboxClientEvents,
  type VboxClientState,
  type VboxDisconnectReason,
  type VboxRequestLike,
  type VboxSendOptions,
  type VboxRoom,
  type KeyPowerInput,
} from './client.js';
export {
  resolveVboxOptions,
  vboxOptionsFromEnv,
  vboxEnvName,
  VBOX_ENV_OPTIONS,
  type VboxClientOptions,
  type ResolvedVboxOptions,
  type VboxLogger,
  type VboxProtocolVersion,
  type VboxSocketFactory,
} from './options.js';
export {
  VboxAbortedError,
  VboxAuthError,
  VboxConfigError,
  VboxConnectError,
  VboxConnectionLostError,
  VboxMockError,
  VboxNackError,
  VboxNotConnectedError,
  VboxQueueTimeoutError,
  VboxReconnectGaveUpError,
  VboxRequestError,
  VboxTimeoutError,
} from './client-errors.js';
export * from './errors.js';
export { Direction, encodeFrame, parseFrame, checksum, VTU_PREFIX, type VboxFrame } from './frame.js';
export { VboxFramer, type InvalidFrameEvent, type VboxFramerOptions } from './framer.js';
export * from './codec.js';
export type { ReplyKind } from './request-queue.js';
export { requests, responses } from '../../generated/vbox/index.js';
export { AckType, KeyPowerStatus, KeyType, KeyCategory, LockStatus, LEDBackgroundBrightness, NodeType, CommandId } from '../../generated/vbox/index.js';
