// Runs s3rver (an S3-protocol server) in its own process for the tests: `node --openssl-legacy-provider
// test/helpers/s3rver-process.mjs <directory> <bucket>...`. Prints `{"port": N}` on stdout once listening.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
