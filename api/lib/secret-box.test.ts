import assert from 'node:assert/strict';
import { createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import { deriveDataKey, parseDataKey, SecretBox, SecretBoxError } from './secret-box.js';

const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const ROW = 'webhooks.secret:1:wh_1';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  test('seals as v1:<iv>:<tag>:<ciphertext> (base64url), without the secret in it, fresh each time', () => {
    const sealed = box.seal(SECRET, ROW);
    assert.match(sealed, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(SECRET) && !sealed.includes(Buffer.from(SECRET).toString('base64url')));
    assert.notEqual(box.seal(SECRET, ROW), sealed, 'a fresh IV per seal');
    assert.deepEqual(box.open(sealed, ROW), { value: SECRET, stale: false });
  });

  test('it is AES-256-GCM with the row as associated data (opened here with node:crypto alone)', () => {
    const [, iv, tag, ciphertext] = box.seal(SECRET, ROW).split(':').map((p) => Buffer.from(p!, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', key, iv!);
    decipher.setAAD(Buffer.from(ROW));
    decipher.setAuthTag(tag!);
    assert.equal(Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString(), SECRET);
  });

  test('a damaged value, another row’s value, or another key fails with SecretBoxError', () => {
    const sealed = box.seal(SECRET, ROW);
    const [prefix, iv, tag, ciphertext] = sealed.split(':') as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    const cases = [
      `${prefix}:${iv}:${tag}:${flip(ciphertext)}`,
      `${prefix}:${iv}:${flip(tag)}:${ciphertext}`,
      `${prefix}:${flip(iv)}:${tag}:${ciphertext}`,
      `${prefix}:${iv}:${tag}`,
      'v1:not:base64:at all',
    ];
    for (const damaged of cases) assert.throws(() => box.open(damaged, ROW), SecretBoxError, damaged);
    assert.throws(() => box.open(sealed, 'webhooks.secret:2:wh_1'), /does not open/);
    assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, ROW), /does not open/);
  });

  test('a value stored before sealing existed is read as it is, and reported stale', () => {
    assert.deepEqual(box.open(SECRET, ROW), { value: SECRET, stale: true });
  });

  test('previous keys still open (stale); new values are sealed with the current key', () => {
    const oldKey = randomBytes(32);
    const current = randomBytes(32);
    const fromOld = new SecretBox(oldKey).seal(SECRET, ROW);
    const rotated = new SecretBox(current, [randomBytes(32), oldKey]);
    assert.deepEqual(rotated.open(fromOld, ROW), { value: SECRET, stale: true });
    assert.deepEqual(rotated.open(rotated.seal(SECRET, ROW), ROW), { value: SECRET, stale: false });
    assert.throws(() => new SecretBox(current).open(fromOld, ROW), SecretBoxError);
  });

  test('fromConfig: DATA_KEY when set (the key derived from EMBED_SECRET still opens), else the derived key', () => {
    const embedSecret = 'embed-secret-0123456789abcdef-0123456789';
    const derivedBox = SecretBox.fromConfig({ embedSecret });
    const sealed = derivedBox.seal(SECRET, ROW);
    assert.deepEqual(SecretBox.fromConfig({ embedSecret }).open(sealed, ROW), { value: SECRET, stale: false });
    const withKey = SecretBox.fromConfig({ embedSecret, dataKey: randomBytes(32) });
    assert.deepEqual(withKey.open(sealed, ROW), { value: SECRET, stale: true });
    assert.throws(() => SecretBox.fromConfig({ embedSecret: `${embedSecret}-rotated` }).open(sealed, ROW), SecretBoxError);
  });
});

describe('data keys', () => {
  test('the derived key is HKDF-SHA256 of the embed secret with a fixed info string, 32 bytes, and not the secret’s hash', () => {
    const k = deriveDataKey('embed-secret-0123456789abcdef-0123456789');
    assert.equal(k.length, 32);
    assert.deepEqual(k, Buffer.from(hkdfSync('sha256', 'embed-secret-0123456789abcdef-0123456789', Buffer.alloc(0), 'ai-receptionist data key v1', 32)));
    assert.notDeepEqual(k, createHash('sha256').update('embed-secret-0123456789abcdef-0123456789').digest());
    assert.notDeepEqual(k, deriveDataKey('another-embed-secret-0123456789abcdef'));
  });

  test('DATA_KEY: 64 hex digits or base64/base64url of 32 bytes; anything else is refused', () => {
    const raw = randomBytes(32);
    assert.deepEqual(parseDataKey(raw.toString('hex')), raw);
    assert.deepEqual(parseDataKey(raw.toString('base64')), raw);
    assert.deepEqual(parseDataKey(raw.toString('base64url')), raw);
    assert.deepEqual(parseDataKey(` ${raw.toString('hex').toUpperCase()}\n`), raw);
    for (const bad of ['', 'short', raw.toString('hex').slice(2), randomBytes(31).toString('base64'), randomBytes(48).toString('base64'), 'z'.repeat(64)]) {
      assert.equal(parseDataKey(bad), null, bad);
    }
  });
});

test('DATA_KEY in the configuration: optional, and a bad value stops start-up naming it', () => {
  const base = { EMBED_SECRET: 'config-test-secret-0123456789abcdef0123' };
  const raw = randomBytes(32);
  assert.equal(loadConfig(base).dataKey, undefined);
  assert.deepEqual(loadConfig({ ...base, DATA_KEY: raw.toString('base64') }).dataKey, raw);
  assert.throws(() => loadConfig({ ...base, DATA_KEY: 'too-short' }), (e: Error) => e instanceof ConfigError && /DATA_KEY: must be 32 bytes/.test(e.message));
});
