/**
 * A minimal S3-compatible HTTP server for the benchmarks: path-style GET and HEAD of one bucket whose objects are the
 * synthetic job of `synthetic-job.ts`, generated per request (a job of any size costs no disk and no memory), with an
 * optional delay before every response (`latencyMs`, about S3's in-region time to first byte). It runs in its own
 * process so that, unlike s3rver, its cost does not land on the client being measured:
 *
 *   node --import tsx bench/synthetic-s3-server.ts <objects> <latencyMs>   → prints {"port": N}
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bucket, manifestKey, manifestLine, responseKey, workerResponse } from './synthetic-job.js';

const objects = Number(process.argv[2] ?? 1000);
const latencyMs = Number(process.argv[3] ?? 0);
const responsePattern = new RegExp(`^${responseKey(0).replace('/0/', '/(\\d+)/').replace(/[.]/g, '\\.')}$`);

function send(response: http.ServerResponse, method: string, body: string | undefined): void {
  if (body === undefined) {
    response.writeHead(404, { 'content-type': 'application/xml' });
    response.end(method === 'HEAD' ? undefined : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    etag: '"bench"',
    'last-modified': 'Sat, 08 Mar 2025 00:00:00 GMT',
  });
  response.end(method === 'HEAD' ? undefined : body);
}

/** The manifest is streamed, line by line, with backpressure: a million lines never sit in memory. */
async function streamManifest(response: http.ServerResponse, method: string): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"bench"' });
  if (method === 'HEAD') return void response.end();
  for (let index = 0; index < objects; index += 1) {
    if (!response.write(manifestLine(index) + '\n')) await new Promise((resolve) => response.once('drain', resolve));
  }
  response.end();
}

const server = http.createServer((request, response) => {
  request.resume();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const key = decodeURIComponent(url.pathname.slice(`/${bucket}/`.length));
  const method = request.method ?? 'GET';
  const answer = () => {
    if (url.pathname === `/${bucket}` || url.pathname === `/${bucket}/`) return send(response, method, '');
    if (!url.pathname.startsWith(`/${bucket}/`)) return send(response, method, undefined);
    if (key === manifestKey) return void streamManifest(response, method);
    const match = responsePattern.exec(key);
    const index = match ? Number(match[1]) : -1;
    send(response, method, index >= 0 && index < objects ? workerResponse(index) : undefined);
  };
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
