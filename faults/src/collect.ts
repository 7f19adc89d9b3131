import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { SEGMENT_SUFFIX, readSegment } from '@auditseal/archive';
import { decodeEvent, decodeSealedEntry, toCoreEntry, type SealedEntry } from '@auditseal/codec';
import { chainId, verifyChain } from '@auditseal/core';
import { accountRecords, type Accounting } from './accounting';
import { CLUSTER, summarizeAlerts, type Pipeline, type VerifierPass } from './pipeline';
import { readTopic } from './read-topic';

const run = promisify(execFile);
const repositoryRoot = resolve(__dirname, '..', '..');

/**
 * The key an entry accounts for: the event id of an `event` entry, the
 * `<partition>:<offset>` of audit.events for a `rejected` one (raw bytes have no id).
 */
export function entryKey(entry: SealedEntry): string {
  return entry.kind === 'EVENT' ? decodeEvent(entry.value).eventId : `${entry.sourcePartition}:${entry.sourceOffset}`;
}

export interface Collected extends Accounting {
  /** Entries of audit.sealed by kind. */
  events: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  /** Problems with the chains themselves (empty: every chain verifies and accounts 1:1 for its input partition). */
  chainProblems: string[];
  segments: number;
  /** Event ids present more than once on audit.events itself (written twice by a producer, before any service saw them). */
  inputDuplicates: number;
}

/**
 * Reads audit.events, audit.sealed and every archived segment and accounts
 * for `acknowledged`: each chain must verify from genesis (core verifyChain)
 * and hold one entry per committed input record, in offset order, with the
 * input bytes verbatim; then the keys are compared (accounting.ts).
 */
export async function collectAccounting(pipeline: Pipeline, acknowledged: readonly string[]): Promise<Collected> {
  const { kafka, admin, names } = pipeline;
  const [inputs, sealedRecords] = await Promise.all([readTopic(kafka, admin, names.events), readTopic(kafka, admin, names.sealed)]);
  const chainProblems: string[] = [];
  const sealedEntries: SealedEntry[] = [];
  const partitions = new Set([...inputs.map((r) => r.partition), ...sealedRecords.map((r) => r.partition)]);
  for (const partition of [...partitions].sort((a, b) => a - b)) {
    const id = chainId({ cluster: CLUSTER, topic: names.events, partition });
    const records = inputs.filter((r) => r.partition === partition);
    const entries = sealedRecords.filter((r) => r.partition === partition).map((r) => decodeSealedEntry(r.value ?? new Uint8Array(0)));
    sealedEntries.push(...entries);
    const verification = verifyChain(entries.map(toCoreEntry), { chainId: id });
    if (!verification.ok) chainProblems.push(`chain ${partition} does not verify: ${JSON.stringify(verification.failure)}`);
    if (records.length !== entries.length) chainProblems.push(`chain ${partition}: ${records.length} input records, ${entries.length} entries`);
    const mismatch = entries.findIndex((e, i) => e.seq !== i || e.sourceOffset !== records[i]?.offset || Buffer.compare(Buffer.from(e.value), records[i]?.value ?? Buffer.alloc(0)) !== 0);
    if (mismatch !== -1) chainProblems.push(`chain ${partition}: entry ${mismatch} does not account for input record ${mismatch} (seq, offset or bytes differ)`);
  }

  const archivedEntries: SealedEntry[] = [];
  let segments = 0;
  for await (const object of pipeline.store.list(`${pipeline.archivePrefix}/v1/`)) {
    if (!object.key.endsWith(SEGMENT_SUFFIX)) continue;
    const bytes = await pipeline.store.get(object.key);
    if (bytes === undefined) throw new Error(`${object.key} was listed but is gone`);
    archivedEntries.push(...readSegment(bytes).entries);
    segments++;
  }

  const inputIds = new Map<string, number>();
  for (const entry of sealedEntries) if (entry.kind === 'EVENT') inputIds.set(entryKey(entry), (inputIds.get(entryKey(entry)) ?? 0) + 1);
  const rejectReasons: Record<string, number> = {};
  for (const entry of sealedEntries) if (entry.kind === 'REJECTED') rejectReasons[entry.rejectReason ?? 'none'] = (rejectReasons[entry.rejectReason ?? 'none'] ?? 0) + 1;
  return {
    ...accountRecords({ acknowledged, sealed: sealedEntries.map(entryKey), archived: archivedEntries.map(entryKey) }),
    events: sealedEntries.filter((e) => e.kind === 'EVENT').length,
    rejected: sealedEntries.filter((e) => e.kind === 'REJECTED').length,
    rejectReasons,
    chainProblems,
    segments,
    inputDuplicates: [...inputIds.values()].filter((n) => n > 1).length,
  };
}

/** `auditseal verify-archive --json` over the pipeline's archive prefix: its exit code and report summary. */
export async function cliVerifyArchive(pipeline: Pipeline): Promise<{ exitCode: number; summary: string }> {
  const { s3 } = pipeline.env;
  const args = [resolve(repositoryRoot, 'services', 'cli', 'dist', 'main.js'), 'verify-archive', '--bucket', s3.bucket, '--prefix', pipeline.archivePrefix, '--endpoint', s3.endpoint, '--region', s3.region, '--retention-days', '1', '--json'];
  const env = { PATH: process.env.PATH ?? '', S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey };
  try {
    const { stdout } = await run(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { exitCode: 0, summary: summarizeReport(stdout) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: typeof failed.code === 'number' ? failed.code : -1, summary: `${summarizeReport(failed.stdout ?? '')} ${failed.stderr ?? ''}`.trim() };
  }
}

function summarizeReport(stdout: string): string {
  try {
    const report = JSON.parse(stdout) as { ok?: boolean; verified?: boolean; problems?: unknown[]; findings?: unknown[]; segments?: unknown };
    const problems = report.problems ?? report.findings ?? [];
    return `${problems.length} problem(s); ${JSON.stringify(report.segments ?? '')}`.slice(0, 400);
  } catch {
    return stdout.slice(0, 400);
  }
}

export interface Settled<T> {
  pass: VerifierPass;
  /** Read right after the final pass (scenario figures that must not wait for the slower reads below). */
  afterPass: T;
  alerts: { kind: string; severity: string }[];
  collected: Collected;
  cli: { exitCode: number; summary: string };
}

/**
 * What every pipeline scenario reads once its fault is over, in this order:
 * everything sealed and archived, a verifier pass that started after that,
 * `afterPass` (if any), the alerts raised during the run, the accounting of
 * `acknowledged`, and `auditseal verify-archive` over the prefix.
 */
export async function settle<T = undefined>(
  pipeline: Pipeline,
  acknowledged: readonly string[],
  options: { drainTimeoutMs?: number; afterPass?: () => Promise<T> } = {},
): Promise<Settled<T>> {
  const total = await pipeline.waitDrained(options.drainTimeoutMs);
  const pass = await pipeline.finalVerifierPass(total);
  const afterPass = (await options.afterPass?.()) as T;
  const alerts = await pipeline.alerts();
  const collected = await collectAccounting(pipeline, acknowledged);
  const cli = await cliVerifyArchive(pipeline);
  return { pass, afterPass, alerts, collected, cli };
}

/** The table columns every pipeline scenario fills the same way (scenario 5 words its findings itself). */
export function accountedColumns(produced: number, { collected, alerts, pass, cli }: Settled<unknown>) {
  return {
    produced,
    sealed: collected.sealed,
    archived: collected.archived,
    lost: collected.lost,
    duplicated: collected.duplicated,
    findings: `${summarizeAlerts(alerts)} raised; ${pass.findings} open after recovery; verify-archive exit ${cli.exitCode}`,
  };
}

