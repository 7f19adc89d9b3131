/*
 * Command-line arguments of `npm run demo` (services/demo/dist/main.js).
 * Pure: argv in, options or a UsageError out (exit code 2 in main).
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface RunOptions {
  command: 'run';
  /** Good events to emit; undefined = keep producing until Ctrl-C. */
  events: number | undefined;
  exit: boolean;
  /** Events per second; undefined = as fast as the pipeline takes them. */
  rate: number | undefined;
  badRecords: number;
  timeoutSeconds: number;
  seed: number;
  partitions: number;
}

export interface ProduceOptions {
  command: 'produce';
  events: number | undefined;
  rate: number | undefined;
  badRecords: number;
  badEvery: number;
  seed: number;
}

export type DemoCommand = RunOptions | ProduceOptions | { command: 'help'; topic: 'run' | 'produce' | 'main' };

export const DEFAULTS = {
  exitEvents: 10_000,
  endlessRate: 200,
  produceRate: 200,
  badRecords: 6,
  badEvery: 1_000,
  timeoutSeconds: 300,
  partitions: 4,
} as const;

export const MAIN_HELP = `Usage: npm run demo [-- run options]            (= node services/demo/dist/main.js run …)
       node services/demo/dist/main.js produce [produce options]

Commands:
  run       (default) start local Kafka + S3 if needed, the chainer, archiver and verifier,
            run a demo workload through them with live progress, then a verification summary
  produce   the workload generator alone (for docker-compose's demo-producer)

Run \`… run --help\` or \`… produce --help\` for the options.
`;

export const RUN_HELP = `Usage: npm run demo [-- [--events N] [--exit] [--rate R] [--bad-events B] [--timeout S] [--seed X]]

Starts local Kafka and S3 (infra/local/infra.sh up; skipped when KAFKA_BROKERS and
S3_ENDPOINT are set), creates this run's topics (<prefix>audit.events, .sealed,
.alerts with prefix demo-<run id>.) and checks the bucket, starts the chainer,
archiver and verifier (logs in .local/logs/demo-<run id>-<service>.log), emits a
workload through @auditseal/producer (4 services, 6 tenants, mixed actions and
outcomes) plus a few bad records written raw to audit.events, and shows
produced / sealed / archived / verified, rate and lag, read from the services'
/metrics and /readyz and from Kafka.

Options:
  --events <N>       good events to emit (1 – 10000000). Without --exit: emit N, then keep
                     the services running until Ctrl-C. Default without it: emit at --rate
                     until Ctrl-C; with --exit: ${DEFAULTS.exitEvents}
  --exit             wait until all N are sealed, archived and verified, print the summary
                     and exit: 0 only with zero alerts, last line
                     DEMO OK events=N sealed=N archived=N verified=N alerts=0
  --rate <R>         events per second (1 – 1000000). Default: as fast as the pipeline takes
                     them with --events, ${DEFAULTS.endlessRate}/s without
  --bad-events <B>   bad records (malformed bytes, unknown schema fingerprint) spread over the
                     run, sealed as rejected entries (0 – 1000, default ${DEFAULTS.badRecords}; without
                     --events: one per ${DEFAULTS.badEvery} events)
  --timeout <S>      with --exit: seconds from the first event until everything must be
                     verified (1 – 86400, default ${DEFAULTS.timeoutSeconds})
  --seed <X>         seed of the workload generator (integer, default: random)
  -h, --help         this help

Counting: events = good events Kafka acknowledged (acks=all); sealed = \`event\` entries the
chainer committed; archived and verified = archived (resp. verified) chain entries minus
the rejected entries of the bad records, which are sealed, archived and verified too and
reported on the line before the last.

Exit codes: 0 verified, 1 not all sealed/archived/verified in time, an alert, or a service
failed, 2 usage or environment error, 130 interrupted (Ctrl-C).
Local Kafka and S3 keep running with the data; \`npm run infra:down\` stops them.
`;

export const PRODUCE_HELP = `Usage: node services/demo/dist/main.js produce [--events N] [--rate R] [--bad-events B | --bad-every K] [--seed X]

Emits the demo workload to <AUDITSEAL_TOPIC_PREFIX>audit.events through @auditseal/producer
(acks=all), plus bad records written raw. Waits up to 120 s for the topic to exist
(the chainer creates it with CHAINER_ENSURE_TOPICS=true). Prints a line every 10 s.

Environment:
  KAFKA_BROKERS            host:port[,host:port…] (required)
  AUDITSEAL_TOPIC_PREFIX   topic prefix (default none)

Options:
  --events <N>       good events, then exit (default: until SIGTERM/SIGINT)
  --rate <R>         events per second (default ${DEFAULTS.produceRate})
  --bad-events <B>   with --events: bad records spread over the run (default ${DEFAULTS.badRecords})
  --bad-every <K>    without --events: one bad record after every K events (0 = none, default ${DEFAULTS.badEvery})
  --seed <X>         seed of the workload generator (default: random)
  -h, --help         this help

Exit codes: 0 every event acknowledged, 1 some were not (or Kafka failed), 2 usage or environment error.
`;

type Spec = Record<string, 'flag' | 'value'>;

/** Splits `--name value`, `--name=value` and flags; rejects anything else. */
function tokenize(argv: readonly string[], spec: Spec): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      out.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (out.has(name)) throw new UsageError(`--${name} given twice`);
    if (kind === 'flag') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out.set(name, true);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

function integer(values: Map<string, string | true>, name: string, min: number, max: number): number | undefined {
  const raw = values.get(name);
  if (raw === undefined || raw === true) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** Parses the whole command line (after `node main.js`). */
export function parseArgs(argv: readonly string[], seed: () => number = randomSeed): DemoCommand {
  const [first, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') return { command: 'help', topic: first === 'help' ? 'main' : 'run' };
  if (first === 'produce') return parseProduce(rest, seed);
  if (first === 'run') return parseRun(rest, seed);
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command ${JSON.stringify(first)}: use run (default) or produce`);
  return parseRun(argv, seed);
}

function parseRun(argv: readonly string[], seed: () => number): DemoCommand {
  const v = tokenize(argv, { events: 'value', exit: 'flag', rate: 'value', 'bad-events': 'value', timeout: 'value', seed: 'value', help: 'flag' });
  if (v.has('help')) return { command: 'help', topic: 'run' };
  const exit = v.has('exit');
  const given = integer(v, 'events', 1, 10_000_000);
  if (v.has('timeout') && !exit) throw new UsageError('--timeout only applies with --exit');
  return {
    command: 'run',
    events: given ?? (exit ? DEFAULTS.exitEvents : undefined),
    exit,
    rate: integer(v, 'rate', 1, 1_000_000) ?? (given === undefined && !exit ? DEFAULTS.endlessRate : undefined),
    badRecords: integer(v, 'bad-events', 0, 1_000) ?? DEFAULTS.badRecords,
    timeoutSeconds: integer(v, 'timeout', 1, 86_400) ?? DEFAULTS.timeoutSeconds,
    seed: integer(v, 'seed', 0, 2 ** 31 - 1) ?? seed(),
    partitions: DEFAULTS.partitions,
  };
}

function parseProduce(argv: readonly string[], seed: () => number): DemoCommand {
  const v = tokenize(argv, { events: 'value', rate: 'value', 'bad-events': 'value', 'bad-every': 'value', seed: 'value', help: 'flag' });
  if (v.has('help')) return { command: 'help', topic: 'produce' };
  const events = integer(v, 'events', 1, 1_000_000_000);
  if (events === undefined && v.has('bad-events')) throw new UsageError('--bad-events needs --events (use --bad-every for an endless run)');
  if (events !== undefined && v.has('bad-every')) throw new UsageError('--bad-every is for endless runs (use --bad-events with --events)');
  return {
    command: 'produce',
    events,
    rate: integer(v, 'rate', 1, 1_000_000) ?? DEFAULTS.produceRate,
    badRecords: integer(v, 'bad-events', 0, 1_000) ?? DEFAULTS.badRecords,
    badEvery: integer(v, 'bad-every', 0, 1_000_000_000) ?? DEFAULTS.badEvery,
    seed: integer(v, 'seed', 0, 2 ** 31 - 1) ?? seed(),
  };
}
