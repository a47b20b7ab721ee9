/**
 * An HTTP proxy that sits between an S3 client and the test server and breaks a share of the requests, the ways S3
 * and networks break: 503 SlowDown, 500 InternalError, a connection reset halfway through the response body, and a
 * stall (half a body, then silence; the client's timeout must fire). Faults are drawn from a seeded source.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../../src/random.js';

export type Fault = 'slow-down' | 'internal-error' | 'reset-mid-body' | 'stall';
const faults: readonly Fault[] = ['slow-down', 'internal-error', 'reset-mid-body', 'stall'];

export interface FaultProxy {
  endpoint: string;
  stats: { requests: number; faults: Record<Fault, number> };
  /** `METHOD /path?query` of every request, in arrival order. */
  log: string[];
  /** Change the share of broken requests (0 turns faults off). */
  setRate(rate: number): void;
  close(): Promise<void>;
}

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault</RequestId></Error>`;

/**
 * `delayMs` holds every request that long before it is forwarded: a slow network, so a test can stop a run midway;
 * `writeDelayMs` holds PUT and POST requests (uploads) that much longer, so a test can stop a run while it writes.
 */
export async function startFaultProxy(
  targetPort: number, options: { rate: number; seed: number; delayMs?: number; writeDelayMs?: number },
): Promise<FaultProxy> {
  const random = seededRandom(options.seed);
  let rate = options.rate;
  const stats = { requests: 0, faults: { 'slow-down': 0, 'internal-error': 0, 'reset-mid-body': 0, stall: 0 } };
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((request, response) => {
    const writing = request.method === 'PUT' || request.method === 'POST';
    const delay = (options.delayMs ?? 0) + (writing ? options.writeDelayMs ?? 0 : 0);
    if (delay > 0) setTimeout(() => forward(request, response), delay);
    else forward(request, response);
  });
  const forward = (request: http.IncomingMessage, response: http.ServerResponse) => {
    stats.requests += 1;
    log.push(`${request.method} ${request.url}`);
    const fault = random() < rate ? faults[Math.floor(random() * faults.length)]! : undefined;
    if (fault) stats.faults[fault] += 1;
    if (fault === 'slow-down' || fault === 'internal-error') {
      request.resume();
      request.on('end', () => {
        const [status, code, message] = fault === 'slow-down'
          ? [503, 'SlowDown', 'Please reduce your request rate.']
          : [500, 'InternalError', 'We encountered an internal error. Please try again.'];
        response.writeHead(status, { 'content-type': 'application/xml' }).end(s3Error(code, message));
      });
      return;
    }
    const upstream = http.request({
      host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: request.headers, agent,
    }, (answer) => {
      if (!fault) {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        return;
      }
      // Broken responses: headers and half of the body, then a reset or silence.
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        response.write(body.subarray(0, Math.floor(body.length / 2)));
        if (fault === 'reset-mid-body') response.socket?.destroy();
      });
    });
    upstream.on('error', () => response.socket?.destroy());
    request.pipe(upstream);
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    log,
    setRate: (next) => (rate = next),
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
