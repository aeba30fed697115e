/** Hex text (spaces and colons allowed) → bytes. */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s:]/g, ''), 'hex');

/** The eight worked examples of the protocol reference §2.3. */
export const WORKED_EXAMPLES = {
  E1: '56 54 55 3E 1D 00 02 1D 79',
  E2: '56 54 55 3E 01 00 16 01 08 75 00 73 00 65 00 72 00 0A 73 00 75 00 70 00 65 00 72 00 55',
  E3: '56 54 55 3E 08 00 04 01 01 01 4C',
  E4: '56 54 55 3E 28 00 08 79 01 02 46 00 00 00 2F',
  E5: '56 54 55 3E 1F 00 03 34 01 94',
  E6: '56 54 55 3C 00 00 03 00 00 3E',
  E7: '56 54 55 3C 1D 00 0B 1E 08 00 01 02 03 04 05 06 07 A5',
  E8: '56 54 55 3C 1F 00 1B 34 01 00 0D 6F 00 0E FB 96 21 02 03 03 02 02 02 00 02 83 07 09 03 00 00 00 00 8C',
};

/** Samples from the reference implementation's unit tests (facts: bytes on the wire). */
export const REFERENCE_SAMPLES = {
  /** RoomMetaData "Entrance", room 0. */
  roomEntrance: '56 54 55 3C 1A 00 15 1F 00 00 10 45 00 6E 00 74 00 72 00 61 00 6E 00 63 00 65 00 C9',
  /** RoomMetaData, Hebrew name; the sample is truncated (its checksum byte is missing). nameLen 10 = "מטבח ". */
  roomHebrewTruncated: '56 54 55 3C 1A 00 0F 06 01 00 0A DE 05 D8 05 D1 05 D7 05 20 00',
  /** KeyStatus node 1 key 0 OFF, 5 trailing bytes. */
  keyStatusOff: '56 54 55 3C 29 00 0A 48 01 00 46 00 00 00 41 00 3E',
  /** KeyParameters in the V2 layout: node 1, key 0, LIGHT, "Dining Room Toilet". */
  keyParametersV2:
    '56 54 55 3C 2B 00 33 78 01 00 FF 01 00 78 78 01 64 01 00 00 24 44 00 69 00 6E 00 69 00 6E 00 67 00 20 00 52 00 6F 00 6F 00 6D 00 20 00 54 00 6F 00 69 00 6C 00 65 00 74 00 33',
  /** The reference's NodeMetaData V1 sample; it also parses consistently as V2. */
  nodeMetaDataV1: '56 54 55 3C 1F 00 18 3C 01 00 15 8D 00 00 69 C4 FF 02 02 01 02 00 02 83 01 07 04 FF 07 00 1B',
  /** Command 65 (unnamed): 3 bytes, then UTF-16LE "Curtain". */
  opaque65: '56 54 55 3C 65 00 13 31 0A 0A 0E 43 00 75 00 72 00 74 00 61 00 69 00 6E 00 DC',
};
