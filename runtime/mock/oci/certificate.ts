import selfsigned from 'selfsigned';

/** A PEM certificate and its private key. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

let cached: Promise<TlsMaterial> | undefined;

/**
 * A self-signed certificate for `localhost`, 127.0.0.1 and ::1 (EC P-256, SHA-256, valid one
 * year), made once per process: clients trust it by passing it as `ca`.
 */
export function localhostCertificate(): Promise<TlsMaterial> {
  cached ??= selfsigned
    .generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    })
    .then((pems) => ({ cert: pems.cert, key: pems.private }));
  return cached;
}
