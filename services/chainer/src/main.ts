import { isAuditSealError } from '@auditseal/core';
import { KafkaError } from '@auditseal/kafka';
import { ConfigError, createJsonLogger, createMetricsRegistry, logKafkaSecurity, onShutdown, startServiceServer } from '@auditseal/runtime';
import { createChainer } from './chainer';
import { loadChainerConfig, loadProducerKeyring, type ChainerConfig } from './config';
import { createChainerMetrics } from './metrics';

/**
 * `npm run chainer`: environment → config → chainer → HTTP server → signals.
 * Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 on a runtime
 * failure, 2 when the configuration is invalid or the topics would allow
 * loss of audit records (docs/OPERATIONS.md "Chainer").
 */
async function main(): Promise<void> {
  let config: ChainerConfig;
  let keyring: ReturnType<typeof loadProducerKeyring> | undefined;
  try {
    config = loadChainerConfig(process.env);
    keyring = config.producerKeyringPath === undefined ? undefined : loadProducerKeyring(config.producerKeyringPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger({ service: 'chainer', level: config.logLevel });
  logKafkaSecurity(logger, config.kafkaSecurity);
  const registry = createMetricsRegistry('auditseal_chainer');
  const metrics = createChainerMetrics(registry);
  const chainer = createChainer(config, {
    logger,
    metrics,
    ...(keyring ? { keyring } : {}),
    onFatal: (error) => {
      logger.error('fatal: the Kafka consumer stopped and will not restart; exiting', { error });
      process.exit(1);
    },
  });
  const server = await startServiceServer({ port: config.httpPort, health: chainer.health, registry });
  logger.info('serving /healthz /readyz /metrics', { port: server.port });
  onShutdown(
    async () => {
      await chainer.stop();
      await server.close();
    },
    { logger },
  );
  try {
    await chainer.start();
  } catch (error) {
    if (error instanceof KafkaError && (error.code === 'topic_unsafe' || error.code === 'topic_missing')) {
      logger.error('refusing to start: the audit topics violate the topic policy', { error });
      process.stderr.write(`chainer: ${error.message}\n`);
      process.exit(2);
    }
    logger.error('chainer failed to start', { error });
    process.stderr.write(`chainer: failed to start: ${isAuditSealError(error) || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`chainer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
