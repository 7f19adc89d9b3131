import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './pipeline';

/*
 * Versions of what the Kafka- and S3-backed benchmarks ran against, for the
 * report: read from the local infrastructure infra/local/infra.sh installs
 * (the jars it fetched, the versitygw binary it built) and from `java`.
 * Anything that cannot be read is left out, never guessed.
 */

export interface InfraVersions {
  kafka?: string;
  versitygw?: string;
  java?: string;
}

/** Kafka's version from the names of the jars in its libs folder (`kafka_2.13-4.4.0.jar`). */
export function kafkaVersionFromJars(files: readonly string[]): string | undefined {
  for (const file of files) {
    const m = /^kafka_\d+\.\d+-(\d+\.\d+\.\d+[\w.-]*)\.jar$/.exec(file);
    if (m) return m[1];
  }
  return undefined;
}

/** versitygw's module version from `go version -m <binary>` (a `mod github.com/versity/versitygw v1.8.0 h1:…` line). */
export function versitygwVersionFromBuildInfo(text: string): string | undefined {
  return /^\s*mod\s+github\.com\/versity\/versitygw\s+(v\S+)/m.exec(text)?.[1];
}

/** The first line of `java -version` (stderr), e.g. `openjdk version "21.0.9" 2025-10-21`. */
export function javaVersionFrom(text: string): string | undefined {
  const m = /version "([^"]+)"/.exec(text);
  if (!m) return undefined;
  const vendor = /^(\S+) version/m.exec(text)?.[1];
  return vendor ? `${vendor} ${m[1]}` : m[1];
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000 });
  return r.error ? '' : `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

export function infraVersions(): InfraVersions {
  const local = process.env.AUDITSEAL_LOCAL_DIR ?? join(ROOT, '.local');
  const libs = join(local, 'kafka', 'libs');
  const versitygw = join(local, 'bin', 'versitygw');
  const out: InfraVersions = {};
  const kafka = existsSync(libs) ? kafkaVersionFromJars(readdirSync(libs)) : undefined;
  if (kafka) out.kafka = kafka;
  const gw = existsSync(versitygw) ? versitygwVersionFromBuildInfo(run('go', ['version', '-m', versitygw])) : undefined;
  if (gw) out.versitygw = gw;
  const java = javaVersionFrom(run('java', ['-version']));
  if (java) out.java = java;
  return out;
}
