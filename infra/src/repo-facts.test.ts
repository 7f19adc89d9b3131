import { entryPointsIn, envNamesIn, fragmentEnvNamesIn, readRepoFacts } from './repo-facts';

describe('envNamesIn', () => {
  describe('when given a zod env schema and member reads', () => {
    it('finds schema keys and process.env / env / io.env / environment reads', () => {
      const source = `const schema = z.object({
  KAFKA_BROKERS: env.list(),
  CHAINER_DELIVERY: z.enum(['a']),
});
const a = process.env.S3_REGION ?? io.env.AUDITSEAL_DEBUG;
const b = environment['ARCHIVE_PREFIX'] + env?.S3_BUCKET;
const notEnv = config.HTTP_PORT; // not an environment read`;
      expect([...envNamesIn(source)].sort()).toEqual(['ARCHIVE_PREFIX', 'AUDITSEAL_DEBUG', 'CHAINER_DELIVERY', 'KAFKA_BROKERS', 'S3_BUCKET', 'S3_REGION']);
    });
  });
});

describe('fragmentEnvNamesIn', () => {
  it('adds the variables of a shared fragment only where it is called', () => {
    const fragments = new Map([['loadKafkaSecurity', new Set(['KAFKA_SSL'])]]);
    expect(fragmentEnvNamesIn('const s = loadKafkaSecurity(environment, "x");', fragments)).toEqual(new Set(['KAFKA_SSL']));
    expect(fragmentEnvNamesIn('import { loadKafkaSecurity } from "@auditseal/runtime";', fragments)).toEqual(new Set());
  });
});

describe('entryPointsIn', () => {
  it('finds service entry points and repo scripts in exec-form and shell commands', () => {
    expect(entryPointsIn(['node', 'services/chainer/dist/main.js'])).toEqual(['services/chainer/dist/main.js']);
    expect(entryPointsIn(['sh', '-c', 'node infra/local/probe.mjs s3 x && node ./services/cli/dist/main.js topics ensure'])).toEqual([
      'infra/local/probe.mjs',
      'services/cli/dist/main.js',
    ]);
    expect(entryPointsIn(['node', 'main.js'])).toEqual([]);
  });
});

describe('readRepoFacts', () => {
  const facts = readRepoFacts();

  it('reads each service config schema, default health port and the pinned versions', () => {
    expect(facts.envRead('services/chainer/dist/main.js')).toContain('CHAINER_MAX_BATCH');
    expect(facts.envRead('services/archiver/dist/main.js')).toContain('ARCHIVER_SIGNING_KEY');
    expect(facts.envRead('services/verifier/dist/main.js')).not.toContain('AUDITSEAL_MIN_INSYNC_REPLICAS');
    expect(facts.envRead('infra/local/probe.mjs')).toEqual(new Set(['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']));
    expect([9464, 9465, 9466]).toEqual(['chainer', 'archiver', 'verifier'].map((s) => facts.defaultHttpPort(`services/${s}/dist/main.js`)));
    expect(facts.defaultHttpPort('services/cli/dist/main.js')).toBeUndefined();
    expect(facts.healthPaths).toEqual({ liveness: '/healthz', readiness: '/readyz' });
    expect(facts.pins.kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(facts.pins.versitygw).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('counts the shared Kafka security variables as read by every service that loads them', () => {
    for (const service of ['chainer', 'archiver', 'verifier', 'cli']) {
      const names = facts.envRead(`services/${service}/dist/main.js`);
      for (const name of ['KAFKA_SSL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_SERVERNAME', 'KAFKA_SSL_REJECT_UNAUTHORIZED', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE']) {
        expect({ service, name, read: names?.has(name) }).toEqual({ service, name, read: true });
      }
    }
    expect(facts.envRead('infra/local/probe.mjs')).not.toContain('KAFKA_SASL_MECHANISM');
  });

    it('knows no entry point for a service that does not exist', () => {
    expect(facts.entryPointExists('services/nope/dist/main.js')).toBe(false);
    expect(facts.envRead('services/nope/dist/main.js')).toBeUndefined();
  });
});
