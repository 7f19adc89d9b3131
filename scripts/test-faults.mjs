#!/usr/bin/env node
// `npm run test:faults`: the fault-injection suite (docs/RELIABILITY.md).
// Starts a 3-broker Kafka and an S3 gateway of its own (infra/local/infra.sh
// in .local-faults/, on ports apart from the shared infrastructure), runs
// each scenario of faults/src as its own jest run, always stops that
// infrastructure again, prints the table and — when every scenario ran —
// writes it into docs/RELIABILITY.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem, type as osType, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './bootstrap.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const SCENARIOS = ['broker-kill', 'service-kill', 's3-outage', 'sdk-kafka-outage', 'bad-input-storm'];

const HELP = `Usage: npm run test:faults [-- [--seed N] [--keep-data] [scenario…]]

Runs the fault-injection suite against the real services on a 3-broker local
Kafka (RF 3, min ISR 2) and an S3 gateway that only this suite uses, and
prints a table: scenario, faults injected, events produced, sealed,
archived, lost, duplicated, findings. With every scenario run, the table
goes into docs/RELIABILITY.md.

Scenarios (default: all, in this order):
  broker-kill        SIGKILL one broker while events flow
  service-kill       SIGKILL chainer, archiver and verifier at random moments (10 rounds each)
  s3-outage          S3 gateway down for 60 s (FAULTS_S3_OUTAGE_MS)
  sdk-kafka-outage   Kafka down for the producer SDK, within and past its delivery deadline
  bad-input-storm    10,000 random, truncated and oversized records on audit.events

Options:
  --seed N        seed of every random choice (default: random; printed, so a run can be replayed)
  --keep-data     keep the cluster's data and logs after a passing run (after a failing one they
                  are always kept; the infrastructure is always stopped; the next run purges them)
  -h, --help      this help

Environment: AUDITSEAL_FAULTS_DIR (default <repo>/.local-faults),
AUDITSEAL_FAULTS_KAFKA_PORT (29092: brokers on 29092-29094, their SASL and TLS
listeners on 29102-29104 and 29112-29114),
AUDITSEAL_FAULTS_CONTROLLER_PORT (29192: 29192-29194), AUDITSEAL_FAULTS_S3_PORT (27070).
Needs what \`npm test\` needs (Node 20+, Java 17+, Maven, Go, openssl). Takes about 5 minutes.
Exit codes: 0 every scenario passed, 1 a scenario failed, 2 usage or infrastructure error.`;

function parseArgs(argv) {
  const options = { seed: undefined, keepData: false, scenarios: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--seed') {
      const value = argv[++i];
      if (!/^\d{1,9}$/.test(value ?? '')) usage(`--seed needs an integer of at most 9 digits; got "${value ?? ''}"`);
      options.seed = Number(value);
    } else if (arg === '--keep-data') {
      options.keepData = true;
    } else if (SCENARIOS.includes(arg)) {
      if (!options.scenarios.includes(arg)) options.scenarios.push(arg);
    } else {
      usage(`unknown argument "${arg}"`);
    }
  }
  if (options.scenarios.length === 0) options.scenarios = [...SCENARIOS];
  options.scenarios.sort((a, b) => SCENARIOS.indexOf(a) - SCENARIOS.indexOf(b));
  options.seed ??= Math.floor(Math.random() * 1e9);
  return options;
}

function usage(message) {
  console.error(`test:faults: ${message}\n\n${HELP}`);
  process.exit(2);
}

const port = (name, fallback) => {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d{2,5}$/.test(value) || Number(value) > 65_000) usage(`${name} must be a port number; got "${value}"`);
  return value;
};

const options = parseArgs(process.argv.slice(2));
const faultsDir = process.env.AUDITSEAL_FAULTS_DIR || join(root, '.local-faults');
const sharedDir = process.env.AUDITSEAL_LOCAL_DIR || join(root, '.local');
const infraEnv = {
  ...process.env,
  AUDITSEAL_LOCAL_DIR: faultsDir,
  AUDITSEAL_KAFKA_PORT: port('AUDITSEAL_FAULTS_KAFKA_PORT', 29092),
  AUDITSEAL_KAFKA_CONTROLLER_PORT: port('AUDITSEAL_FAULTS_CONTROLLER_PORT', 29192),
  AUDITSEAL_S3_PORT: port('AUDITSEAL_FAULTS_S3_PORT', 27070),
  AUDITSEAL_KAFKA_HEAP: process.env.AUDITSEAL_FAULTS_KAFKA_HEAP || '384m',
};
const infraScript = join(root, 'infra', 'local', 'infra.sh');

// A failed step ends the run with one line saying which, not a stack trace.
function step(what, cmd, args, env = process.env) {
  const { status, signal } = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, detached: true });
  if (status === 0) return;
  console.error(`test:faults: ${what} failed (${signal ?? `exit ${status}`})`);
  throw Object.assign(new Error(what), { exitCode: 2 });
}

function infraEnvValues() {
  const names = ['KAFKA_BROKERS', 'S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET', 'LOCAL_S3_DATA_DIR'];
  const script = `eval "$(bash "$0" env)" && printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`;
  const out = spawnSync('bash', ['-c', script, infraScript], { cwd: root, env: infraEnv, encoding: 'utf8' });
  if (out.status !== 0) throw Object.assign(new Error(`infra.sh env failed: ${out.stderr}`), { exitCode: 2 });
  const values = out.stdout.split('\0');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

// The jars and the gateway binary are the shared ones (fetched or built once
// by `infra.sh install`), linked in; data, logs and pids are the suite's own.
function linkShared() {
  for (const [from, to] of [
    [join(sharedDir, 'kafka', 'libs'), join(faultsDir, 'kafka', 'libs')],
    [join(sharedDir, 'bin'), join(faultsDir, 'bin')],
  ]) {
    mkdirSync(dirname(to), { recursive: true });
    let present = false;
    try {
      present = lstatSync(to) !== undefined;
    } catch {
      present = false;
    }
    if (!present) symlinkSync(from, to, 'dir');
  }
}

let child;
let stopping = false;
function infraDown(purge) {
  const args = ['down', ...(purge && !options.keepData ? ['--purge'] : [])];
  spawnSync('bash', [infraScript, ...args], { cwd: root, stdio: 'inherit', env: infraEnv });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`test:faults: ${signal}: stopping the scenario and the fault cluster…`);
    // jest runs in a process group of its own, with the services it started;
    // once it has exited, main() stops the cluster and exits 130.
    if (child?.pid) signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => child?.pid && signalGroup(child.pid, 'SIGKILL'), 10_000).unref();
  });
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// Scenario 4's single-broker Kafka (testkit startDedicatedKafka) lives under
// the scenarios' TMPDIR; it is killed on the test's exit, but not when jest
// itself is killed: stop whatever its pid files name.
const scenarioTmp = join(faultsDir, 'tmp');
function killScenarioBrokers() {
  if (!existsSync(scenarioTmp)) return;
  for (const dir of readdirSync(scenarioTmp)) {
    const runDir = join(scenarioTmp, dir, 'run');
    if (!existsSync(runDir)) continue;
    for (const file of readdirSync(runDir).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(runDir, file), 'utf8').trim());
      if (Number.isSafeInteger(pid) && pid > 1) signalGroup(pid, 'SIGKILL');
    }
  }
}

function runScenario(name, env) {
  return new Promise((resolveRun) => {
    const jest = join(root, 'node_modules', '.bin', 'jest');
    child = spawn(jest, ['-c', join(root, 'faults', 'jest.config.js'), '--ci', join(root, 'faults', 'src', `${name}.fault.test.ts`)], { cwd: root, stdio: 'inherit', env, detached: true });
    child.on('exit', (code, signal) => {
      killScenarioBrokers();
      resolveRun(code ?? (signal ? 1 : 0));
    });
  });
}

function machine() {
  const list = cpus();
  return `${osType()} ${arch()}, ${list.length} × ${list[0]?.model?.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.versions.node}`;
}

// One run at a time per folder: a second run would purge and restart the
// cluster under the first. The lock names the holder's pid; a stale one is taken over.
const lockFile = join(faultsDir, 'test-faults.lock');
function takeLock() {
  mkdirSync(faultsDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      process.on('exit', () => {
        try {
          if (readFileSync(lockFile, 'utf8') === String(process.pid)) rmSync(lockFile);
        } catch {
          // gone already
        }
      });
      return;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) {
        console.error(`test:faults: another run (pid ${holder}) uses ${faultsDir}; wait for it, or set AUDITSEAL_FAULTS_DIR and the AUDITSEAL_FAULTS_*_PORT variables for a second cluster`);
        throw Object.assign(new Error('locked'), { exitCode: 2 });
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw Object.assign(new Error(`could not take ${lockFile}`), { exitCode: 2 });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const began = Date.now();
  takeLock();
  console.log(`test:faults: scenarios ${options.scenarios.join(', ')}; seed ${options.seed} (replay: npm run test:faults -- --seed ${options.seed})`);
  bootstrap();
  // Only what the suite runs: the services, the CLI, the suite itself and their packages.
  const filters = ['faults', 'chainer', 'archiver', 'verifier', 'cli'].map((name) => `--filter=@auditseal/${name}...`);
  step('build', join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', ...filters, '--output-logs=errors-only']);
  step('infra.sh install', 'bash', [infraScript, 'install']);
  // A previous run may have left data (--keep-data) or, killed hard, processes.
  spawnSync('bash', [infraScript, 'down', '--purge'], { cwd: root, stdio: 'inherit', env: infraEnv });
  killScenarioBrokers();
  rmSync(scenarioTmp, { recursive: true, force: true });
  const resultsDir = join(faultsDir, 'results');
  rmSync(resultsDir, { recursive: true, force: true });
  linkShared();
  const failed = [];
  let results = [];
  try {
    step('infra.sh up --brokers 3', 'bash', [infraScript, 'up', '--brokers', '3'], infraEnv);
    mkdirSync(scenarioTmp, { recursive: true });
    const env = { ...infraEnv, ...infraEnvValues(), FAULTS_LOCAL_DIR: faultsDir, FAULTS_SEED: String(options.seed), TMPDIR: scenarioTmp };
    for (const name of options.scenarios) {
      console.log(`\n=== fault scenario: ${name}`);
      const code = await runScenario(name, env);
      if (stopping) break;
      if (code !== 0) failed.push(name);
    }
  } finally {
    results = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8'))) : [];
    // Data and logs stay after a failure, as evidence (the next run purges them).
    infraDown(failed.length === 0 && results.length === options.scenarios.length);
  }
  const totalSeconds = (Date.now() - began) / 1000;
  const report = require(join(root, 'faults', 'dist', 'report.js'));
  console.log(`\n${report.renderConsoleTable(results)}\n`);
  const missing = options.scenarios.length - results.length;
  if (missing > 0) console.log(`test:faults: ${missing} scenario(s) ended without a result row (see the jest output above)`);
  const allRan = !stopping && options.scenarios.length === SCENARIOS.length && missing === 0;
  if (allRan) {
    const docPath = join(root, 'docs', 'RELIABILITY.md');
    const section = report.renderGeneratedSection(results, {
      date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      machine: machine(),
      totalSeconds,
      seed: options.seed,
      command: 'npm run test:faults',
    });
    const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Reliability\n';
    writeFileSync(docPath, report.replaceGeneratedSection(doc, section));
    console.log(`test:faults: wrote the table into docs/RELIABILITY.md`);
  }
  if (stopping) {
    console.error('test:faults: interrupted; the fault cluster is stopped');
    return 130;
  }
  console.log(`test:faults: ${failed.length === 0 && missing === 0 ? 'every scenario passed' : `FAILED: ${failed.join(', ') || 'missing results'}`} in ${report.formatDuration(totalSeconds)}`);
  return failed.length === 0 && missing === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (!error?.exitCode) console.error(error);
    process.exit(error?.exitCode ?? 2);
  },
);
