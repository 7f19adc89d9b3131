import { nodeCrypto } from './crypto-node';

export * from './errors';
export { toHex, fromHex, toBase64, fromBase64, concatBytes, equalBytesPortable } from './bytes';
export type { CryptoBackend } from './crypto-backend';
export { nodeCrypto } from './crypto-node';
export { portableCrypto } from './crypto-portable';
export * from './chain-id';
export * from './entry-body';
export {
  GENESIS_TAG,
  LINK_TAG,
  HASH_LENGTH,
  ChainLinker,
  createChainLinker,
  genesisHash,
  genesisHead,
  linkHash,
  entryBodyHash,
  sealEntry,
  type ChainHead,
  type SealedLink,
  type LinkInput,
} from './chain';
export * from './verify-chain';
export * from './merkle';
export * from './timestamps';
export * from './keys';
export * from './keyring-json';
export * from './signing-bytes';

/**
 * Constant-time byte comparison (crypto.timingSafeEqual). Use it for every
 * hash or signature comparison that involves untrusted input.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return nodeCrypto.equalBytes(a, b);
}
