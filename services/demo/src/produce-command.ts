import { createKafkaClient, topicNames } from '@auditseal/kafka';
import { createJsonLogger, env, loadConfig } from '@auditseal/runtime';
import { z } from 'zod';
import type { ProduceOptions } from './args';
import { formatCount } from './progress-line';
import { startWorkload } from './workload-runner';

/*
 * `node services/demo/dist/main.js produce`: the demo workload alone, for
 * docker-compose's demo-producer (and anyone who wants traffic). Configured
 * by KAFKA_BROKERS and AUDITSEAL_TOPIC_PREFIX, like the services.
 */

const TOPIC_WAIT_MS = 120_000;
const REPORT_MS = 10_000;

const schema = z.object({
  KAFKA_BROKERS: env.list().pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port'))),
  AUDITSEAL_TOPIC_PREFIX: env.topicPrefix(),
});

export interface ProduceIo {
  out(text: string): void;
  err(text: string): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Returns the exit code. Throws a ConfigError (exit 2) for a bad environment. */
export async function runProduce(options: ProduceOptions, io: ProduceIo, environment: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig(schema, environment, 'demo produce');
  const topic = topicNames(config.AUDITSEAL_TOPIC_PREFIX).events;
  const logger = createJsonLogger({ service: 'demo-producer', level: 'warn', write: (line) => io.err(`${line}\n`) });

  let stopping = false;
  let stopRunner: (() => Promise<void>) | undefined;
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void stopRunner?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    // The topic is created by whoever owns the topic policy (the chainer with CHAINER_ENSURE_TOPICS=true, or `auditseal topics ensure`).
    const admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'auditseal-demo-producer', logger }).admin();
    const deadline = Date.now() + TOPIC_WAIT_MS;
    try {
      await admin.connect();
      let said = false;
      while (!(await admin.listTopics()).includes(topic)) {
        if (stopping) return 0;
        if (Date.now() > deadline) {
          io.err(`demo produce: topic ${topic} does not exist after ${TOPIC_WAIT_MS / 1000}s (create it: npm run -s auditseal -- topics ensure)\n`);
          return 2;
        }
        if (!said) io.out(`waiting for topic ${topic}…\n`);
        said = true;
        await sleep(1_000);
      }
    } catch (error) {
      io.err(`demo produce: Kafka at ${config.KAFKA_BROKERS.join(',')} is unreachable: ${(error as Error).message}\n`);
      return 2;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (stopping) return 0;

    const runner = startWorkload({
      brokers: config.KAFKA_BROKERS,
      topic,
      plan: { events: options.events, badRecords: options.badRecords, badEvery: options.badEvery, seed: options.seed },
      rate: options.rate,
      logger,
    });
    stopRunner = () => runner.stop();
    const startedAt = Date.now();
    const line = () => {
      const c = runner.counts();
      const seconds = (Date.now() - startedAt) / 1000;
      return `produced ${formatCount(c.events)} events + ${formatCount(c.bad)} bad records to ${topic} in ${seconds.toFixed(0)}s (${formatCount(c.events / Math.max(seconds, 0.001))}/s), ${formatCount(c.failed)} failed`;
    };
    io.out(`producing the demo workload to ${topic} (${options.events === undefined ? 'until SIGTERM' : `${formatCount(options.events)} events`}, ${formatCount(options.rate)}/s, seed ${options.seed})\n`);
    const timer = setInterval(() => io.out(`${line()}\n`), REPORT_MS);
    try {
      await runner.done;
    } finally {
      clearInterval(timer);
    }
    io.out(`${line()}\n`);
    return runner.counts().failed === 0 ? 0 : 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
