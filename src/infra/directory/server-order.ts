/**
 * The order in which servers are asked. The configured order, except that a server that
 * failed a moment ago goes to the back (still in configured order among its kind): a domain
 * controller that swallows packets would otherwise cost every sign-in a full connect
 * time-out until it comes back. It is still asked when every other server fails, so an
 * outage of the others never turns into an answer of "unavailable" without trying it.
 */
export class ServerOrder<S extends { readonly label: string }> {
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly servers: readonly S[],
    private readonly demoteForMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every server, healthy ones first. */
  current(): S[] {
    const since = this.now() - this.demoteForMs;
    const recentlyFailed = (s: S): boolean => (this.failedAt.get(s.label) ?? -Infinity) > since;
    return [
      ...this.servers.filter((s) => !recentlyFailed(s)),
      ...this.servers.filter(recentlyFailed),
    ];
  }

  recordFailure(server: S): void {
    this.failedAt.set(server.label, this.now());
  }

  recordAnswer(server: S): void {
    this.failedAt.delete(server.label);
  }
}
