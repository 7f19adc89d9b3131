import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isArchiveError, s3Status, type ArchiveLayout, type ArchiveStore } from '@auditseal/archive';
import { createKeyring, parseKeyring, publicKeyEntry, serializeKeyring, equalBytes, type PublicKeyring, type SigningKey } from '@auditseal/core';
import { AuditSealError } from '@auditseal/core';
import type { Logger } from '@auditseal/kafka';

/** A start-up refusal: main exits 2 with this message. */
export class StartupRefusal extends AuditSealError<'object_lock_disabled' | 'can_delete' | 'key_conflict'> {}

/** The bucket must have Object Lock enabled (GetObjectLockConfiguration): without it nothing is WORM. */
export async function assertObjectLock(store: ArchiveStore, bucket: string): Promise<void> {
  if (!(await store.bucketObjectLockEnabled())) {
    throw new StartupRefusal(
      'object_lock_disabled',
      `bucket ${bucket} does not have Object Lock enabled; archived segments would be deletable. Create the bucket with Object Lock (infra/s3/README.md).`,
    );
  }
}

export type DeleteProbeResult = 'denied' | 'allowed' | 'unknown';

/**
 * Probes whether the credentials may delete object versions, without deleting
 * anything: `DeleteObject` of a random key under our prefix with
 * `VersionId=null`. Deleting a specific version never creates a delete
 * marker, and the key does not exist, so an allowed call changes nothing;
 * IAM is evaluated before existence, so a policy without
 * s3:DeleteObjectVersion answers 403 AccessDenied.
 *
 * Limits (docs/OPERATIONS.md): it tests one key under the archive prefix, so
 * a policy that allows deletes elsewhere in the bucket goes unnoticed; a
 * policy that allows s3:DeleteObject but not s3:DeleteObjectVersion (delete
 * markers only: the locked versions stay) is reported as 'denied'; and
 * COMPLIANCE retention protects locked versions whatever the probe says.
 */
export async function probeDelete(client: S3Client, bucket: string, layout: ArchiveLayout): Promise<DeleteProbeResult> {
  const key = `${layout.prefix}/v1/_probes/delete-${randomUUID()}`;
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: 'null' }));
    return 'allowed';
  } catch (error) {
    const status = s3Status(error);
    if (status === 403) return 'denied';
    if (status === 404 || status === 400) return 'allowed';
    return 'unknown';
  }
}

/**
 * Publishes our public key as `<prefix>/v1/keys/<key id>.json` (a keyring
 * document with this one key, FORMAT.md §6.4), put-once. The archive's keyring
 * is the union of these files; a file already there must hold the same key.
 */
export async function publishKey(store: ArchiveStore, layout: ArchiveLayout, key: SigningKey, notBefore: Date, retentionDays: number): Promise<'created' | 'identical'> {
  const keyring = createKeyring([publicKeyEntry(key, notBefore)]);
  const fileKey = layout.keyFileKey(key.keyId);
  try {
    return await store.putOnce(fileKey, Buffer.from(serializeKeyring(keyring), 'utf8'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + retentionDays * 86_400_000), contentType: 'application/json' });
  } catch (error) {
    if (!(isArchiveError(error) && error.code === 'conflict')) throw error;
    const existing = await store.get(fileKey);
    const published = existing ? parseKeyring(Buffer.from(existing).toString('utf8')).keys.find((k) => k.keyId === key.keyId) : undefined;
    if (!published || !equalBytes(published.publicKey, key.publicKey)) {
      throw new StartupRefusal('key_conflict', `${fileKey} already publishes a different key for key id ${key.keyId}`);
    }
    // The same key, published earlier (e.g. with another notBefore): nothing to write.
    return 'identical';
  }
}

/** Every key published under `<prefix>/v1/keys/`, merged (unreadable files are logged and skipped). */
export async function loadArchiveKeyring(store: ArchiveStore, layout: ArchiveLayout, logger: Logger): Promise<PublicKeyring> {
  const keys = new Map<string, PublicKeyring['keys'][number]>();
  for await (const { key } of store.list(layout.keysPrefix())) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    try {
      for (const k of parseKeyring(Buffer.from(bytes).toString('utf8')).keys) if (!keys.has(k.keyId)) keys.set(k.keyId, k);
    } catch (error) {
      logger.warn('unreadable key file in the archive (ignored)', { key, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return createKeyring([...keys.values()]);
}
