import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** An Ed25519 key pair: the private key signs manifests, the public key (PEM) is what verifiers get. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

/** sha256 of the public key's SPKI DER, first 16 hex digits. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function pemText(pemOrPath: string): string {
  return pemOrPath.includes('-----BEGIN') ? pemOrPath : readFileSync(pemOrPath, 'utf8');
}

/** A signing key from a PKCS#8 PEM private key, given as its text or a file path (PORTRAIT_FARM_SIGNING_KEY). */
export function loadSigningKey(pemOrPath: string): SigningKey {
  const privateKey = createPrivateKey(pemText(pemOrPath));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key must be an Ed25519 private key (PEM); this one is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: keyIdOf(publicKey) };
}

/** A public key from SPKI PEM text or a file path (what `verify --key` takes). */
export function loadPublicKey(pemOrPath: string): KeyObject {
  const text = pemText(pemOrPath);
  const key = text.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the public key must be an Ed25519 key (PEM)');
  return key;
}

/** A fresh Ed25519 private key as PKCS#8 PEM (the local farm writes one into its data folder). */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
