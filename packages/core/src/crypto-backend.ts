/**
 * The two hashing/signing backends (DESIGN.md "Chains and hashes"): `nodeCrypto`
 * on node:crypto for hot paths, `portableCrypto` on @noble/hashes and
 * @noble/curves for the portable verifier. Every core function takes an
 * optional backend and defaults to `nodeCrypto`; the vector tests prove both
 * produce identical bytes.
 */
export interface CryptoBackend {
  readonly name: 'node' | 'portable';
  /** SHA-256 (FIPS 180-4) of the concatenation of `parts`. */
  sha256(...parts: readonly Uint8Array[]): Uint8Array;
  /** SHA-256 of `data`, written to `out[offset .. offset+32)`: the allocation-free form hot paths use. */
  sha256Into(data: Uint8Array, out: Uint8Array, offset: number): void;
  /** Ed25519 public key (32 bytes) of a 32-byte private seed (RFC 8032 §5.1.5). */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** Ed25519 signature (64 bytes, RFC 8032 §5.1.6, deterministic). */
  ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /** Ed25519 verification (RFC 8032 §5.1.7); false, never a throw, for any malformed input. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** Constant-time comparison (time independent of where the inputs differ). */
  equalBytes(a: Uint8Array, b: Uint8Array): boolean;
}
