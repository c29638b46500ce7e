export const HELP = `passage: pass-through authentication as an event-sourced actor system

Usage: passage <command> [options]

Commands:
  machine [--json]   Print the sign-in machine: its states, transitions and outcomes.
  help               Print this help.
  version            Print passage's version.

Coming next (see the issues): up, serve, agent, replay, audit, paths, bench.
`;
