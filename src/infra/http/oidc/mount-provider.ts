import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';

/**
 * Mounts oidc-provider (a Koa application) under `/oidc` inside fastify. The provider parses
 * its own request bodies (the token endpoint's form, with client credentials), so in this
 * encapsulated scope fastify parses none: every content-type parser is removed and a
 * catch-all one leaves the stream unread. The handler then hands the raw request and
 * response to the provider (`reply.hijack()`: fastify sends nothing), with the prefix
 * stripped from the URL and the full URL kept as `originalUrl`, from which oidc-provider
 * works out its mount path for the URLs it writes (discovery, redirects).
 */

export const OIDC_PREFIX = '/oidc';

type RawWithOriginalUrl = IncomingMessage & { originalUrl?: string };

export const mountProvider = async (app: FastifyInstance, provider: Provider): Promise<void> => {
  const callback = provider.callback();
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => {
      done(null, undefined);
    });
    const forward = (request: FastifyRequest, reply: FastifyReply): void => {
      reply.hijack();
      const raw: RawWithOriginalUrl = request.raw;
      const url = raw.url ?? OIDC_PREFIX;
      raw.originalUrl = url;
      const rest = url.slice(OIDC_PREFIX.length);
      raw.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
      // The provider answers every request itself, errors included (as JSON or its error page).
      void callback(raw, reply.raw);
    };
    scope.all(OIDC_PREFIX, forward);
    scope.all(`${OIDC_PREFIX}/*`, forward);
    done();
  });
};
