export const HELP = `passage: pass-through authentication as an event-sourced actor system

Usage: passage <command> [options]

Commands:
  machine [--json]   Print the sign-in machine: its states, transitions and outcomes.
  host [--nats URL] [--tenant T] [--mfa-required]
                     Run a sign-in node: serve commands on NATS, run the reactors, fire
                     timers. Run several for availability. Defaults: nats://127.0.0.1:4222,
                     tenant "default". Stops cleanly on Ctrl-C / SIGTERM.
  replay <attemptId> [--nats URL] [--tenant T] [--json]
                     Verify an attempt's records (hash chain, recomputed states) and print
                     its timeline. Exit 0 when it verifies, 1 at the first divergence.
  help               Print this help.
  version            Print passage's version.

Coming next (see the issues): up, serve, agent, audit, paths, bench.
`;
