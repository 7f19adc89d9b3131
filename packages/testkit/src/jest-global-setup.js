// Placeholder: replaced by the testkit implementation (ensures Kafka and S3 are reachable).
module.exports = async () => {};
