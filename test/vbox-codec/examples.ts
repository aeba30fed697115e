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
