/**
 * The lean GET path (`signed-get.ts`): signatures byte for byte against botocore's, and whole reads through
 * `S3Storage.readAll` against a local HTTP server that answers each request the way a test scripts it (S3 errors,
 * throttling, clock skew, broken and stalled bodies, oversized responses).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { createS3Client } from '../../src/io/s3/s3-client.js';
import { S3Storage } from '../../src/io/s3/s3-storage.js';
import { objectUrl, s3Signer, signedGetHeaders } from '../../src/io/s3/signed-get.js';

interface Vector {
  name: string;
  base: string;
  region: string;
  key: string;
  sessionToken: string | null;
  url: string;
  headers: Record<string, string>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/sigv4/vectors.json', import.meta.url), 'utf8')) as {
  date: string;
  accessKeyId: string;
  secretAccessKey: string;
  vectors: Vector[];
};

describe('S3 GET signatures (expected headers computed by botocore: test/fixtures/sigv4/make-vectors.py)', () => {
  it.each(fixture.vectors.map((vector) => [vector.name, vector] as const))('%s', async (_, vector) => {
    const url = objectUrl(new URL(vector.base), vector.key);
    expect(url.href).toBe(vector.url);
    const credentials = { accessKeyId: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey, ...(vector.sessionToken && { sessionToken: vector.sessionToken }) };
    const headers = await signedGetHeaders(s3Signer(credentials, vector.region), url, new Date(fixture.date));
    expect(headers.authorization).toBe(vector.headers.authorization);
    for (const name of ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']) expect(headers[name]).toBe(vector.headers[name]);
  });
});

/** What the server does with one request; `respond` is called with the request's path and headers. */
type Script = (response: http.ServerResponse, request: http.IncomingMessage) => void;
const s3Error = (response: http.ServerResponse, status: number, code: string, message: string, headers: http.OutgoingHttpHeaders = {}) =>
  response.writeHead(status, { 'content-type': 'application/xml', ...headers })
    .end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>test</RequestId></Error>`);
const ok = (text: string): Script => (response) => response.writeHead(200, { 'content-length': Buffer.byteLength(text) }).end(text);

describe('S3Storage.readAll over signed GETs', () => {
  const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
  let server: http.Server;
  let endpoint: string;
  let scripts: Script[] = [];
  let requests: http.IncomingMessage[] = [];
  let storages: S3Storage[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push(request);
      const script = scripts.shift() ?? ((res) => s3Error(res, 500, 'InternalError', 'no script left'));
      script(response, request);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(storages.map((storage) => storage.close()));
    [scripts, requests, storages] = [[], [], []];
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  function storageFor(client: S3Client, bodyTimeoutMs = 3_000) {
    const counter = { retries: 0 };
    const storage = new S3Storage(client, policy, counter, { bodyTimeoutMs });
    storages.push(storage);
    return { storage, counter };
  }
  const withKeys = (accessKeyId = 'AKID') => new S3Client({ region: 'eu-west-1', endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey: 'secret' } });
  const read = (storage: S3Storage, uri = 's3://bucket/k.json', maxBytes = 1000) => storage.readAll(uri, maxBytes).then((b) => b.toString(), (e: unknown) => e);

  it('signs a path-style GET with the client\'s region, credentials and encoded key', async () => {
    scripts = [ok('{"answers":[]}')];
    const { storage } = storageFor(withKeys());
    expect(await read(storage, 's3://bucket/a b/2025-03-08_00:00:00+1.json')).toBe('{"answers":[]}');
    expect(requests[0]!.url).toBe('/bucket/a%20b/2025-03-08_00%3A00%3A00%2B1.json');
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, /);
  });

  it('asks the client\'s credential provider again as credentials near expiry (the SDK chain refreshes them)', async () => {
    let issued = 0;
    const client = new S3Client({
      region: 'eu-west-1', endpoint, forcePathStyle: true,
      // Expiring within the SDK's refresh window, so each signing asks for fresh ones.
      credentials: async () => ({ accessKeyId: `KEY${(issued += 1)}`, secretAccessKey: 's', expiration: new Date(Date.now() + 60_000) }),
    });
    scripts = [ok('1'), ok('2')];
    const { storage } = storageFor(client);
    await read(storage);
    await read(storage);
    const [first, second] = requests.map((r) => /Credential=(\w+)\//.exec(r.headers.authorization!)![1]);
    expect(second).not.toBe(first);
    expect(second).toBe(`KEY${issued}`);
  });

  it('takes the endpoint from the client built for --endpoint-url', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKID';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'secret';
    scripts = [ok('{}')];
    const { storage } = storageFor(createS3Client({ endpointUrl: endpoint, region: 'eu-west-1' }));
    expect(await read(storage, 's3://my.bucket/x.json')).toBe('{}');
    expect(requests[0]!.url).toBe('/my.bucket/x.json');
  });

  it('maps NoSuchKey to response-missing and AccessDenied to response-unreadable, retrying neither', async () => {
    scripts = [
      (res) => s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.'),
      (res) => s3Error(res, 403, 'AccessDenied', 'Access Denied'),
      (res) => res.writeHead(404).end(), // no body, as for a HEAD: the SDK's name, NotFound
    ];
    const { storage, counter } = storageFor(withKeys());
    expect(await read(storage)).toMatchObject({ code: 'response-missing', message: 'not found: s3://bucket/k.json' });
    expect(await read(storage)).toMatchObject({ code: 'response-unreadable', message: 'AccessDenied: Access Denied' });
    expect(await read(storage)).toMatchObject({ code: 'response-missing' });
    expect(requests).toHaveLength(3);
    expect(counter.retries).toBe(0);
  });

  it('retries 503 SlowDown and 500, then gives up with the error code after the last attempt', async () => {
    scripts = [(res) => s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.'), (res) => s3Error(res, 500, 'InternalError', 'x'), ok('{"answers":[]}')];
    const { storage, counter } = storageFor(withKeys());
    expect(await read(storage)).toBe('{"answers":[]}');
    expect(counter.retries).toBe(2);

    scripts = Array.from({ length: 4 }, () => (res: http.ServerResponse) => s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.'));
    const error = await read(storage);
    expect(error).toBeInstanceOf(RejectError);
    expect(error).toMatchObject({ code: 'response-unreadable', message: 'SlowDown after 4 attempts: Please reduce your request rate.' });
    expect(requests).toHaveLength(3 + 4);
  });

  it('re-signs with the server\'s clock after RequestTimeTooSkewed', async () => {
    const serverDate = new Date(Date.now() + 3_600_000);
    scripts = [(res) => s3Error(res, 403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { date: serverDate.toUTCString() }), ok('{}')];
    const { storage } = storageFor(withKeys());
    expect(await read(storage)).toBe('{}');
    const amzDate = (r: http.IncomingMessage) => Date.parse(String(r.headers['x-amz-date']).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(Math.abs(amzDate(requests[1]!) - serverDate.getTime())).toBeLessThan(5_000);
  });

  it('retries a body that breaks mid-stream and one that stalls past the body timeout', async () => {
    const half = (res: http.ServerResponse) => res.writeHead(200, { 'content-length': 14 }).write('{"answ');
    scripts = [(res) => { half(res); res.socket!.destroy(); }, half, ok('{"answers":[]}')];
    const { storage, counter } = storageFor(withKeys(), 50);
    // Without the body timeout the stalled read would wait for ever (the request timeout is 30 s).
    expect(await read(storage)).toBe('{"answers":[]}');
    expect(counter.retries).toBe(2);
  });

  it('rejects an oversized response from its Content-Length, and stops reading one without it past the limit', async () => {
    let written = 0;
    scripts = [
      (res) => res.writeHead(200, { 'content-length': 100 }).end('x'.repeat(100)),
      (res) => {
        res.writeHead(200); // chunked: no length
        const more = () => {
          while (!res.destroyed && written < 64 * 1024 * 1024 && res.write(Buffer.alloc(1024))) written += 1024;
          if (!res.destroyed && written < 64 * 1024 * 1024) res.once('drain', more);
        };
        more();
      },
    ];
    const { storage, counter } = storageFor(withKeys());
    expect(await read(storage, undefined, 10)).toMatchObject({ code: 'response-too-large', message: 's3://bucket/k.json is 100 bytes, over the 10-byte limit' });
    expect(await read(storage, undefined, 4096)).toMatchObject({ code: 'response-too-large', message: 's3://bucket/k.json is over the 4096-byte limit' });
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(counter.retries).toBe(0);
  });

  it('reads buckets that need another auth scheme (S3 Express directory buckets) through the SDK', async () => {
    const client = new S3Client({ region: 'us-west-2', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
    const mock = mockClient(client);
    mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([Buffer.from('{"answers":[]}')])) });
    const { storage } = storageFor(client);
    expect(await read(storage, 's3://labels--usw2-az1--x-s3/k.json')).toBe('{"answers":[]}');
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    mock.restore();
  });
});
