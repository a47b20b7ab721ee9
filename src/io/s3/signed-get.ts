/**
 * Signed S3 GETs over a keep-alive undici pool: the read path for worker responses, config, gold and report inputs.
 *
 * Why not the SDK: the AWS SDK v3 spends 0.5-0.7 ms of client CPU per GetObject (middleware stack, endpoint rules,
 * response deserialisation), which capped S3 mode near 1.3k GETs/s on 2 cores whatever the latency. Signing with the
 * SDK's own SigV4 signer and sending the request with undici costs 0.11-0.13 ms (node:http with a keep-alive agent:
 * 0.14-0.16 ms, measured side by side), see BENCHMARKS.md. Everything else (manifest stream, preflight, uploads) stays
 * on the SDK client, and this path takes from that client what users configure there: the credential chain (with its
 * refresh), the region, the endpoint rules (virtual-hosted for AWS, path-style with `--endpoint-url` or for bucket
 * names with dots) and the clock-skew correction. Buckets whose endpoint needs another auth scheme (S3 Express
 * directory buckets, multi-region access points) are reported unsupported, and the caller reads them with the SDK.
 *
 * A GET here makes one attempt; failures are thrown shaped like the SDK's service errors (`name` the S3 error code,
 * `$metadata.httpStatusCode`), so the retry policy and the reject codes treat both paths alike.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Sha256 } from '@smithy/core/checksum';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { Agent, type Dispatcher } from 'undici';

export interface SignedGetSettings {
  /** Connections per origin: the fetch concurrency. */
  maxSockets: number;
  connectionTimeoutMs: number;
  /** Longest wait for the response headers. */
  requestTimeoutMs: number;
}

/** A response whose status is 2xx; the caller reads (or destroys) the body. */
export interface SignedGetResponse {
  contentLength: number | undefined;
  body: Readable;
}

/** GETs carry no payload: the SHA-256 of the empty body, which every S3-compatible store accepts (unlike UNSIGNED-PAYLOAD over http). */
const emptyPayloadHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Error bodies are a few hundred bytes of XML; read no more than this of one. */
const errorBodyMaxBytes = 16 * 1024;

/** The S3 SigV4 signer: keys are encoded once (by `objectUrl`), never again, as the SDK's S3 client signs. */
export const s3Signer = (credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>, region: string) =>
  new SignatureV4({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false });

/**
 * The URL of `key` under a bucket's endpoint (`https://bucket.s3.region.amazonaws.com/` or `http://host:port/bucket`):
 * each key segment percent-encoded as RFC 3986 says (`/` kept), S3's canonical form; `encodeURIComponent` leaves
 * `!'()*` alone.
 */
export function objectUrl(base: URL, key: string): URL {
  const path = key.split('/').map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  return new URL(base.href.replace(/\/?$/, '/') + path.join('/'));
}

/** The signed headers of a GET of `url` at `date` (host, x-amz-date, x-amz-content-sha256, a session token, Authorization). */
export async function signedGetHeaders(signer: SignatureV4, url: URL, date: Date): Promise<Record<string, string>> {
  const request = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': emptyPayloadHash },
  }, { signingDate: date });
  return request.headers;
}

/** Where a bucket's objects are and how requests to it are signed, from the client's endpoint rules. */
interface BucketEndpoint {
  base: URL;
  signer: SignatureV4;
}

export class SignedGetter {
  private readonly agent: Agent;
  private readonly endpoints = new Map<string, Promise<BucketEndpoint | undefined>>();

  constructor(private readonly client: S3Client, settings: SignedGetSettings) {
    this.agent = new Agent({
      connections: settings.maxSockets,
      connect: { timeout: settings.connectionTimeoutMs },
      headersTimeout: settings.requestTimeoutMs,
      bodyTimeout: 0, // the caller watches the body for silence (`bodyTimeoutMs`), on this path and the SDK's alike
    });
  }

  /** Whether `bucket` can be read here; otherwise use the SDK. */
  async supports(bucket: string): Promise<boolean> {
    return (await this.endpointOf(bucket)) !== undefined;
  }

  async get(bucket: string, key: string): Promise<SignedGetResponse> {
    const endpoint = await this.endpointOf(bucket);
    if (!endpoint) throw new Error(`s3://${bucket}: its endpoint needs an auth scheme other than SigV4`);
    const url = objectUrl(endpoint.base, key);
    const headers = await signedGetHeaders(endpoint.signer, url, this.clockNow());
    const response = await this.agent.request({ origin: url.origin, path: url.pathname, method: 'GET', headers });
    if (response.statusCode >= 300) throw await this.serviceError(response);
    // Undici fails a body destroyed unread (an oversized one) with an abort error that nobody waits for.
    response.body.on('error', () => {});
    const length = response.headers['content-length'];
    return { contentLength: typeof length === 'string' ? Number(length) : undefined, body: response.body };
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  /** The SDK's clock, corrected for skew as the SDK corrects it. */
  private clockNow(): Date {
    return new Date(Date.now() + (this.client.config.systemClockOffset ?? 0));
  }

  private endpointOf(bucket: string): Promise<BucketEndpoint | undefined> {
    let endpoint = this.endpoints.get(bucket);
    if (!endpoint) {
      endpoint = this.resolve(bucket);
      endpoint.catch(() => this.endpoints.delete(bucket)); // a failed resolution (no region yet) is tried again
      this.endpoints.set(bucket, endpoint);
    }
    return endpoint;
  }

  private async resolve(bucket: string): Promise<BucketEndpoint | undefined> {
    const config = this.client.config;
    // The rules depend on the bucket, not the key; GetObject's instructions just require one.
    const endpoint = await getEndpointFromInstructions({ Bucket: bucket, Key: 'key' }, GetObjectCommand, config as never);
    const schemes = (endpoint.properties?.authSchemes ?? [{ name: 'sigv4' }]) as { name: string; signingRegion?: string }[];
    const scheme = schemes[0];
    if (scheme?.name !== 'sigv4' || endpoint.url.search) return undefined;
    return { base: endpoint.url, signer: s3Signer(config.credentials, scheme.signingRegion ?? (await config.region())) };
  }

  /** An SDK-like service error from an S3 XML error body (`<Code>`, `<Message>`), or from the status alone. */
  private async serviceError({ statusCode: status, headers, body }: Dispatcher.ResponseData): Promise<Error> {
    const xml = await leadingText(body, errorBodyMaxBytes).catch(() => '');
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
    const code = field('Code') ?? (status === 404 ? 'NotFound' : `Http${status}`);
    if (code === 'RequestTimeTooSkewed' && typeof headers.date === 'string') {
      // As the SDK does: sign the next attempts with the server's clock.
      this.client.config.systemClockOffset = Date.parse(headers.date) - Date.now();
    }
    return Object.assign(new Error(field('Message') ?? `HTTP ${status}`), { name: code, $metadata: { httpStatusCode: status } });
  }
}

/** The first `max` bytes of a body as text; the rest is discarded with the body. */
async function leadingText(body: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= max) break; // leaving the loop destroys the body
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
