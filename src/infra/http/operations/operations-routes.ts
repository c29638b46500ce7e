import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** One dependency's readiness: its name and whether it answers now. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves true when ready; false or a throw means not ready. Bounded by the route. */
  readonly check: () => Promise<boolean>;
}

export interface OperationsOptions {
  readonly checks: readonly ReadinessCheck[];
  readonly metrics: Registry;
  /** How long a check may take before it counts as failed. */
  readonly checkTimeoutMs?: number;
}

const withTimeout = async (check: () => Promise<boolean>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

/**
 * `/healthz` (the process is alive and serving: restart it if not), `/readyz` (its
 * dependencies answer: send it traffic only if so) and `/metrics` (Prometheus text format).
 */
export const registerOperationsRoutes = (app: FastifyInstance, options: OperationsOptions) => {
  const timeoutMs = options.checkTimeoutMs ?? 2000;

  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(
        async ({ name, check }) => [name, await withTimeout(check, timeoutMs)] as const,
      ),
    );
    const ready = results.every(([, ok]) => ok);
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ready ? 'ready' : 'unavailable',
        checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'failing'])),
      });
  });

  app.get('/metrics', async (_request, reply) =>
    reply
      .header('content-type', options.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(await options.metrics.metrics()),
  );
};
