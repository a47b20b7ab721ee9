// Runs s3rver (an S3-protocol server) in its own process: `node --openssl-legacy-provider
// sample-output/s3rver-process.mjs <port> <directory> <bucket>...` (port 0 picks a free one). Prints `{"port": N}` on
// stdout once listening.
import S3rver from 's3rver';

const [port, directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port: listening } = await server.run();
process.stdout.write(`${JSON.stringify({ port: listening })}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
