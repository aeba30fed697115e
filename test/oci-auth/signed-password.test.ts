import { signedPassword } from '../../runtime/oci/auth.js';

test('signed password matches the known answer of the OCI-P hashed login', () => {
  expect(signedPassword('1234567890123', 'password')).toBe('77e4a6de3a1e00be05e121cf0ebee860');
});

test('signed password depends on the nonce', () => {
  expect(signedPassword('1234567890124', 'password')).not.toBe(signedPassword('1234567890123', 'password'));
});
