// Integration tests talk to real Kafka and S3: give them room, but no retries (CONVENTIONS.md).
jest.setTimeout(180000);
