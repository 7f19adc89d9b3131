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
  // Every variable `infra.sh env` exports (INTEGRATION_ENV_VARS and the SASL and TLS ones of
  // integration-env.ts): bash evaluates the quoted `export` lines and prints name and value, NUL-separated.
  const script =
    'out="$(bash "$0" env)" && eval "$out" && ' +
    "for n in $(printf '%s\\n' \"$out\" | sed -n 's/^export \\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'); do printf '%s\\0%s\\0' \"$n\" \"${!n}\"; done";
  const fields = execFileSync('bash', ['-c', script, infra], { cwd: root, encoding: 'utf8' }).split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) process.env[fields[i]] = fields[i + 1];
};
