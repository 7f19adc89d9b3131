import type { Logger } from '@auditseal/kafka';

/** What kafkajs logs at WARN whenever an idempotent producer has finitely many retries. */
const FINITE_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * The logger the producer's own kafkajs client writes to. kafkajs warns that
 * finite retries "may invalidate EoS guarantees": ours are finite on purpose
 * (our deadline rules), and the guarantee holds because after kafkajs gives up
 * the batcher either resends exactly the same records (same sequence numbers,
 * deduplicated by the broker) or starts a new idempotence session
 * (KafkaSender contract). The warning would only alarm operators, so it goes
 * to debug. Without a logger, warnings and errors go to the console, as
 * kafkajs' own default does.
 */
export function producerKafkaLogger(logger: Logger | undefined): Logger {
  const base = logger ?? consoleLogger('');
  const wrap = (inner: Logger): Logger => ({
    debug: (message, fields) => inner.debug(message, fields),
    info: (message, fields) => inner.info(message, fields),
    warn: (message, fields) => (message === FINITE_RETRIES_WARNING ? inner.debug(message, fields) : inner.warn(message, fields)),
    error: (message, fields) => inner.error(message, fields),
    child: (namespace) => wrap(inner.child(namespace)),
  });
  return wrap(base);
}

function consoleLogger(namespace: string): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    `${namespace ? `[${namespace}] ` : ''}${message}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => console.warn(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
    child: (child) => consoleLogger(namespace ? `${namespace}.${child}` : child),
  };
}
