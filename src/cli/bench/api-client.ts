import { Agent, request } from 'node:http';

export interface ApiAnswer {
  readonly status: number;
  /** The parsed body; null when it was not JSON. */
  readonly body: unknown;
}

const parseOrNull = (text: string): unknown => {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

export interface ApiClient {
  readonly post: (path: string, body?: unknown) => Promise<ApiAnswer>;
  readonly get: (path: string) => Promise<ApiAnswer>;
  /** Closes the kept-alive sockets. */
  readonly close: () => void;
}

/**
 * A plain HTTP/1.1 client for the sign-in API, as a load balancer in front of passage
 * talks to it: connections kept alive and reused, JSON in and out. node:http rather than
 * fetch: the load generator shares the machine with what it measures, and fetch costs it
 * several times more CPU per request.
 */
export const createApiClient = (baseUrl: string, maxSockets: number): ApiClient => {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const send = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers:
            payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: parseOrNull(text) });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    post: (path, body) => send('POST', path, body),
    get: (path) => send('GET', path),
    close: () => agent.destroy(),
  };
};
