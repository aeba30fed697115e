import { configHandler, helpHandler, notesHandler } from './handlers/system.js';
import { ociHandler } from './handlers/oci.js';
import { vboxHandler } from './handlers/vbox.js';
import type { Handler } from './types.js';

/** Fresh instances of every built-in handler (each server or headless run has its own connections). */
export function builtinHandlers(): Handler[] {
  return [notesHandler(), configHandler(), helpHandler(), ociHandler(), vboxHandler()];
}
