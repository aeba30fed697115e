// XML markup as bytes, for the two byte-level scanners of this folder: the TCP framer
// (framing.ts), which finds where a document ends, and the SOAP envelope scanner (xml-scan.ts).

export const LT = 0x3c; // <
export const GT = 0x3e; // >
export const SLASH = 0x2f; // /

export const COMMENT_OPEN = Buffer.from('<!--', 'latin1');
export const COMMENT_CLOSE = Buffer.from('-->', 'latin1');
export const CDATA_OPEN = Buffer.from('<![CDATA[', 'latin1');
export const CDATA_CLOSE = Buffer.from(']]>', 'latin1');
export const PI_CLOSE = Buffer.from('?>', 'latin1');
