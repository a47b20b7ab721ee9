/**
 * `npm run s3:local`: a local S3-compatible server (s3rver) holding the sample jobs exactly where Ground Truth would
 * have written them, `s3://acme-ml-labeling/ground-truth/output/<job>/…`, to try gt-consolidate's S3 mode without an
 * AWS account. Port 4569, or PORT. Stops on Ctrl-C.
 */
import path from 'node:path';
import { startS3Server } from './s3-server.js';

const bucket = 'acme-ml-labeling';
const here = import.meta.dirname;
const server = await startS3Server([bucket], Number(process.env.PORT ?? 4569));
for (const job of ['support-ticket-sentiment', 'multimodal-content-eval']) {
  await server.uploadTree(path.join(here, job), bucket, `ground-truth/output/${job}/`);
}
console.log(`S3 endpoint ${server.endpoint} (credentials S3RVER / S3RVER), bucket ${bucket}, sample jobs under ground-truth/output/`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
