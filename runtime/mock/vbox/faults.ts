/**
 * Fault injection for the mock vBox. Faults are settings layered over a base: `set()`
 * changes them until cleared; `set(..., { times: n })` (or `once()`) applies them to the
 * next n requests only and then reverts by itself. Settable at any time, from tests or code.
 */

/** Every fault the mock can inject. Unset means "behave normally". */
export interface VboxMockFaultSettings {
  /** Read requests but never answer anything (pushes stop too). */
  silence?: boolean;
  /** Never acknowledge Heartbeat (07); everything else is answered. */
  ignoreHeartbeats?: boolean;
  /** AckType sent for actions (07 08 1E 28) instead of ACK (e.g. 1 NACK, 3 IN_USE). Login follows the credentials. */
  ackType?: number;
  /** Send replies with a wrong checksum. */
  corruptChecksum?: boolean;
  /** Write each reply byte by byte (`bytes`) or in random small chunks (`random`), with pauses between. */
  split?: 'off' | 'bytes' | 'random';
  /** Coalesce the frames written within `mergeWindowMs` (default 25) into one TCP write. */
  merge?: boolean;
  mergeWindowMs?: number;
  /** Delay every reply by this many milliseconds. */
  delayMs?: number;
  /** The next request closes the connection (FIN) or resets it (RST) instead of being answered. */
  dropOnRequest?: 'fin' | 'rst';
  /** Answer NodeStatus (23) with a same-msgId 23 frame; the real reply is unknown, so off by default. */
  answerNodeStatus?: boolean;
}

interface Layer {
  settings: VboxMockFaultSettings;
  /** Requests still affected; undefined = until cleared. */
  remaining: number | undefined;
}

/** Runtime-settable fault switchboard of one mock. */
export class VboxMockFaults {
  private layers: Layer[] = [];

  /** Applies settings on top of the current ones; with `times`, only for the next `times` requests. */
  set(settings: VboxMockFaultSettings, options: { times?: number } = {}): void {
    if (options.times !== undefined && (!Number.isInteger(options.times) || options.times < 1)) {
      throw new RangeError(`times must be a whole number ≥ 1; got ${options.times}`);
    }
    this.layers.push({ settings: { ...settings }, remaining: options.times });
  }

  /** Applies settings to the next request only. */
  once(settings: VboxMockFaultSettings): void {
    this.set(settings, { times: 1 });
  }

  /** Back to normal behaviour. */
  clear(): void {
    this.layers = [];
  }

  /** The settings in force now (later layers win). */
  get current(): Readonly<VboxMockFaultSettings> {
    return Object.assign({}, ...this.layers.map((layer) => layer.settings)) as VboxMockFaultSettings;
  }

  /** Called by the mock for each request it handles: returns the settings for it and counts limited layers down. */
  consume(): Readonly<VboxMockFaultSettings> {
    const settings = this.current;
    for (const layer of this.layers) if (layer.remaining !== undefined) layer.remaining -= 1;
    this.layers = this.layers.filter((layer) => layer.remaining === undefined || layer.remaining > 0);
    return settings;
  }
}
