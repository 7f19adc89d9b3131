import { createS3Client } from './s3-client';

describe('createS3Client', () => {
  it('uses path-style URLs with a gateway endpoint and virtual-hosted ones on AWS, unless told', async () => {
    const gateway = createS3Client({ endpoint: 'http://127.0.0.1:7070', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b' });
    const aws = createS3Client({ region: 'eu-west-1' });
    const forced = createS3Client({ region: 'eu-west-1', forcePathStyle: true });
    expect(gateway.config.forcePathStyle).toBe(true);
    expect(aws.config.forcePathStyle).toBe(false);
    expect(forced.config.forcePathStyle).toBe(true);
    expect(await gateway.config.region()).toBe('us-east-1');
    expect(await gateway.config.credentials()).toMatchObject({ accessKeyId: 'a', secretAccessKey: 'b' });
    for (const c of [gateway, aws, forced]) c.destroy();
  });

  it('sends checksums only when an operation requires them (ours go with every PUT), and passes maxAttempts', async () => {
    const client = createS3Client({ region: 'us-east-1', maxAttempts: 2 });
    expect(client.config.requestChecksumCalculation).toBeDefined();
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.maxAttempts()).toBe(2);
    client.destroy();
  });
});
