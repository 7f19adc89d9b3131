// jest globalSetup of the `integration` project (jest.config.js). Plain CommonJS:
// jest loads it before any transform of the tests applies.
//
// Makes sure Kafka and S3 are reachable once per run, before any worker starts:
// with KAFKA_BROKERS and S3_ENDPOINT set it uses them; otherwise it runs
// `infra/local/infra.sh up` (a no-op when already up) and copies `infra.sh env`
// into process.env, which the workers inherit. packages/testkit/src/integration-env.ts
// does the same for code that runs outside jest.
const { execFileSync } = require('node:child_process');
const { resolve } = require('node:path');

const root = resolve(__dirname, '..', '..', '..');
const infra = resolve(root, 'infra', 'local', 'infra.sh');
// The same names as INTEGRATION_ENV_VARS, SASL_INTEGRATION_ENV_VARS and TLS_INTEGRATION_ENV_VARS of integration-env.ts.
const names = [
  'KAFKA_BROKERS',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_BUCKET',
  'LOCAL_S3_DATA_DIR',
  'AUDITSEAL_KAFKA_SASL_BROKERS',
  'AUDITSEAL_KAFKA_SASL_USERNAME',
  'AUDITSEAL_KAFKA_SASL_PASSWORD',
  'AUDITSEAL_KAFKA_SSL_BROKERS',
  'AUDITSEAL_KAFKA_SSL_CA_FILE',
  'AUDITSEAL_KAFKA_SSL_CERT_FILE',
  'AUDITSEAL_KAFKA_SSL_KEY_FILE',
];

module.exports = async () => {
  if (process.env.KAFKA_BROKERS && process.env.S3_ENDPOINT) return;
  try {
    execFileSync('bash', [infra, 'up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(
      'integration tests: could not start local Kafka and S3 with infra/local/infra.sh (its error is above). ' +
        'Install what it names (Java 17+, Maven, Go 1.25+), or export KAFKA_BROKERS, S3_ENDPOINT, S3_REGION, ' +
        'S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET for running services ' +
        '(with Docker: `docker compose up -d`, then `eval "$(npm run -s infra:env)"`).',
      { cause: error },
    );
  }
  // bash evaluates the quoted `export` lines; NUL-separated values come back.
  const script = `eval "$(bash "$0" env)" && printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`;
  const values = execFileSync('bash', ['-c', script, infra], { cwd: root, encoding: 'utf8' }).split('\0');
  names.forEach((name, i) => {
    process.env[name] = values[i];
  });
};
