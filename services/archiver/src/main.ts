import { isAuditSealError } from '@auditseal/core';
import { KafkaError } from '@auditseal/kafka';
import { ConfigError, createJsonLogger, createMetricsRegistry, logKafkaSecurity, onShutdown, startServiceServer } from '@auditseal/runtime';
import { createArchiver } from './archiver';
import { loadArchiverConfig, type ArchiverConfig } from './config';
import { createArchiverMetrics } from './metrics';
import { loadSigningKey } from './signing-key';
import { StartupRefusal } from './startup-checks';

/**
 * `npm run archiver`: environment → config → archiver → HTTP server → signals.
 * Exit codes: 0 after a clean shutdown, 1 on a runtime failure, 2 when the
 * configuration is invalid, the bucket lacks Object Lock, the credentials
 * can delete, or the topics would allow loss (docs/OPERATIONS.md "Archiver").
 */
async function main(): Promise<void> {
  let config: ArchiverConfig;
  let signing: ReturnType<typeof loadSigningKey>;
  try {
    config = loadArchiverConfig(process.env);
    signing = loadSigningKey(config.signingKeyPath, { generateIfMissing: config.devKey });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger({ service: 'archiver', level: config.logLevel });
  logKafkaSecurity(logger, config.kafkaSecurity);
  if (signing.generated) logger.warn('generated a DEVELOPMENT signing key (ARCHIVER_DEV_KEY=true); never use it in production', { path: config.signingKeyPath, keyId: signing.key.keyId });
  if (config.crashAfter) logger.warn('FAULT INJECTION: ARCHIVER_CRASH_AFTER is set; the process will SIGKILL itself', { crashAfter: config.crashAfter });
  const registry = createMetricsRegistry('auditseal_archiver');
  const metrics = createArchiverMetrics(registry);
  const crashAfter = config.crashAfter;
  const archiver = createArchiver(config, {
    logger,
    metrics,
    signingKey: signing.key,
    keyNotBefore: signing.notBefore,
    ...(crashAfter
      ? {
          afterStep: (point) => {
            if (point !== crashAfter) return;
            process.stderr.write(`archiver: FAULT INJECTION: SIGKILL after ${point}\n`);
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
    onFatal: (error) => {
      logger.error('fatal: the Kafka consumer stopped and will not restart; exiting', { error });
      process.exit(1);
    },
  });
  const server = await startServiceServer({ port: config.httpPort, health: archiver.health, registry });
  logger.info('serving /healthz /readyz /metrics', { port: server.port });
  onShutdown(
    async () => {
      await archiver.stop();
      await server.close();
    },
    { logger },
  );
  try {
    await archiver.start();
  } catch (error) {
    const refusal = error instanceof StartupRefusal || (error instanceof KafkaError && (error.code === 'topic_unsafe' || error.code === 'topic_missing'));
    logger.error(refusal ? 'refusing to start' : 'archiver failed to start', { error });
    process.stderr.write(`archiver: ${refusal ? 'refusing to start: ' : 'failed to start: '}${isAuditSealError(error) || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(refusal ? 2 : 1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`archiver: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
