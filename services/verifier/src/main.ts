import { hostname } from 'node:os';
import { ConfigError, createJsonLogger, createMetricsRegistry, logKafkaSecurity, onShutdown, startServiceServer } from '@auditseal/runtime';
import { loadVerifierConfig, type VerifierConfig } from './config';
import { createVerifierMetrics } from './metrics';
import { createVerifier } from './verifier';

/**
 * `npm run verifier`: environment → config → verifier → HTTP server → signals.
 * Exit codes: 0 after a clean shutdown, 1 on a runtime failure, 2 when the
 * configuration (or the keyring file) is invalid (docs/OPERATIONS.md "Verifier").
 */
async function main(): Promise<void> {
  let config: VerifierConfig;
  try {
    config = loadVerifierConfig(process.env, hostname());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger({ service: 'verifier', level: config.logLevel });
  logKafkaSecurity(logger, config.kafkaSecurity);
  const registry = createMetricsRegistry('auditseal_verifier');
  const metrics = createVerifierMetrics(registry);
  let verifier;
  try {
    verifier = createVerifier(config, {
      logger,
      metrics,
      onFatal: (error) => {
        logger.error('fatal: the verification loop stopped; exiting', { error });
        process.exit(1);
      },
    });
  } catch (error) {
    process.stderr.write(`verifier: invalid keyring ${config.keyringPath ?? ''}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const server = await startServiceServer({ port: config.httpPort, health: verifier.health, registry });
  logger.info('serving /healthz /readyz /metrics', { port: server.port });
  onShutdown(
    async () => {
      await verifier.stop();
      await server.close();
    },
    { logger },
  );
  try {
    await verifier.start();
  } catch (error) {
    logger.error('verifier failed to start', { error });
    process.stderr.write(`verifier: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`verifier: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
