/** Where the CLI looks when not told: a local NATS server and the default tenant. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_TENANT = 'default';
