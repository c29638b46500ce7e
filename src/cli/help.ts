export const HELP = `passage: pass-through authentication as an event-sourced actor system

Usage: passage <command> [options]

Commands:
  machine [--json]   Print the sign-in machine: its states, transitions and outcomes.
  up [--http-port P] [--nats-port P] [--data-dir D] [--tenant T] [--nats-tls]
     [--timeouts JSON] [--mfa-tries N] [--reactors all|none|timers,evaluate,answers,lockout]
     [--ldap-url URL[,URL] --ldap-base-dn DN [--ldap-dialect ad|openldap] [--ldap-ca-file F]
      [--ldap-login-attribute A] [--ldap-bind-dn DN] [--ldap-bind-password-file F]
      [--ldap-allow-plain]]
                     Everything on this machine in one command: nats-server, a demo directory
                     (slapd) with one user per outcome, the sign-in service and one agent,
                     registered automatically. Prints the sign-in page, the NATS URL and the
                     demo users' passwords (new at every start, kept in no file). Defaults:
                     HTTP 8080, NATS 4222 (0: any free port), data in ./.passage. With
                     --ldap-url the agent uses your directory and no demo one starts.
                     --timeouts, --mfa-tries and --reactors go to the service as serve takes
                     them (PASSAGE_TIMEOUTS, PASSAGE_MFA_TRIES, PASSAGE_REACTORS); leave a
                     reactor out only if a node of yours runs it (passage host --reactors).
                     Each process connects to NATS as its own user (service, agent; an
                     auditor's key is printed too), seeds in <data-dir>/nats-keys (0600).
                     --nats-tls: NATS on TLS (tls://) with a CA made at the start.
                     While they run, <data-dir>/pids/ holds nats-server.pid, slapd.pid,
                     service.pid and agent.pid (docs/testing-with-passage.md pauses the agent).
                     Ctrl-C stops the agent, the service, slapd and nats-server, in that order.
  serve [--http-host H] [--http-port N] [--public-url URL] [--data-dir DIR]
        [--oidc-clients FILE] [--trust-proxy] [--timeouts JSON] [--mfa-tries N]
        [node options]
                     Run the sign-in service: the JSON API (specs/openapi.json), the sign-in
                     page, the OpenID Connect provider (issuer <public-url>/oidc), /healthz,
                     /readyz and /metrics, over a sign-in node. Defaults 127.0.0.1:8080,
                     data dir .passage/service (OIDC keys). Environment: PASSAGE_HTTP_HOST,
                     PASSAGE_HTTP_PORT, PASSAGE_PUBLIC_URL, PASSAGE_DATA_DIR,
                     PASSAGE_OIDC_CLIENTS, PASSAGE_TIMEOUTS, PASSAGE_MFA_TRIES (default 3).
  host [node options]
                     Run a sign-in node without HTTP: serve commands on NATS, run the
                     reactors, fire timers, queue sealed requests, take the agents' answers.
  node options (serve, host):
        [--nats URL] [--tenant T] [--mfa enrolled|always|never] [--agent-max-age SECONDS]
        [--reactors all|none|timers,evaluate,answers,lockout] [--stream-replicas 1|3|5]
                     Defaults: nats://127.0.0.1:4222, tenant "default", MFA for enrolled
                     users, agents active while their heartbeat is under 15 s old, every
                     reactor. Environment: PASSAGE_NATS_URL, PASSAGE_TENANT, PASSAGE_MFA,
                     PASSAGE_AGENT_MAX_AGE, PASSAGE_REACTORS. Run several nodes for
                     availability; split reactors to run API nodes and worker nodes.
                     On a JetStream cluster, --nats lists its servers (comma-separated) and
                     --stream-replicas 3 (or 5; PASSAGE_STREAM_REPLICAS) keeps that many
                     copies of every stream and bucket (docs/scaling-and-faults.md).
  NATS access (every command that takes --nats):
        [--nats-nkey-file F] [--nats-ca-file F]
                     The NKey seed file (0600) of the NATS user the command runs as: the
                     service's for serve, host, token and mfa; the agent's own for agent;
                     an auditor's for audit and replay. The CA that signed the servers'
                     certificates (TLS; a tls:// URL asks for TLS too). Environment:
                     PASSAGE_NATS_NKEY_FILE, PASSAGE_NATS_CA_FILE. Refusals:
                     NATS_AUTHORIZATION_FAILED, NATS_TLS_FAILED, NATS_NKEY_FILE_INSECURE, …
                     docs/nats-security.md: the roles and what each may do.
  nats users --keys-dir DIR [--service T[,T]] [--agent T:ID[,T:ID]] [--auditor T[,T]]
             [--tls-cert F --tls-key F]
                     For your own nats-server: one NKey seed file per user in DIR (0600;
                     existing ones are kept) and, on stdout, the authorization block naming
                     their public keys with their role's permissions (and a tls block), to
                     include in nats-server.conf. Seeds are never printed.
  token create [--tenant T] [--ttl SECONDS] [--agent-id ID] [--nats URL]
                     Issue a one-time registration token for an agent (default 600 s).
  agent init --key-file F [--force]
                     Create the agent's key pairs (X25519, Ed25519) in a 0600 file.
  agent register --key-file F --token T [--name N] [--agent-id ID] [--tenant T] [--nats URL]
                     Register the agent's public keys with the service.
  agent rotate --key-file F [--agent-id ID] [--tenant T] [--nats URL]
                     Replace the keys; the previous ones keep working during the change.
  agent list [--json] [--max-age SECONDS] [--tenant T] [--nats URL]
                     The tenant's agents (with the service's NATS key): active and
                     answering (a heartbeat within --max-age, default 15), silent, or revoked.
  agent revoke <agent-id> [--tenant T] [--nats URL]
                     Revoke an agent (with the service's NATS key): its answers stop
                     verifying and no request is sealed for it; the agent cannot undo it.
  agent run --key-file F --ldap-url URL[,URL] --ldap-base-dn DN [--ldap-dialect ad|openldap]
            [--ldap-ca-file F] [--ldap-login-attribute A] [--ldap-bind-dn DN]
            [--ldap-bind-password-file F] [--ldap-allow-plain] [--concurrency N]
            [--agent-id ID] [--tenant T] [--nats URL]
                     Run the authentication agent. Every option has an environment
                     variable: PASSAGE_NATS_URL, PASSAGE_TENANT, PASSAGE_AGENT_ID,
                     PASSAGE_AGENT_KEY_FILE, PASSAGE_LDAP_URL, PASSAGE_LDAP_DIALECT,
                     PASSAGE_LDAP_CA_FILE, PASSAGE_LDAP_BASE_DN, PASSAGE_LDAP_LOGIN_ATTRIBUTE,
                     PASSAGE_LDAP_BIND_DN, PASSAGE_LDAP_BIND_PASSWORD_FILE (or the password
                     itself in PASSAGE_LDAP_BIND_PASSWORD, for supervisors).
                     All long-running commands stop cleanly on Ctrl-C / SIGTERM.
  mfa enroll <username> [--issuer NAME] [--replace] [--no-qr] [--tenant T] [--nats URL]
                     Give a user a TOTP second factor. Prints the otpauth URI and the base32
                     secret (one a line, shown only this once), then a QR code for an
                     authenticator app. Issuer default "passage". --replace gives a new
                     secret; the old one stops working.
  mfa remove <username> [--tenant T] [--nats URL]
                     Remove a user's second factor. Both mfa commands also read
                     PASSAGE_NATS_URL and PASSAGE_TENANT.
  replay <attemptId> [--nats URL | --file F] [--tenant T] [--format text|json|html]
         [--output FILE]
                     Verify an attempt's records (hash chain, recomputed states) and print
                     its timeline: text (default), JSON lines (--json is --format json) or
                     one self-contained HTML page (the machine's diagram with the path taken,
                     one row per record). --output writes it to FILE instead, atomically.
                     --file reads an exported file (audit export) instead of NATS, offline.
                     Exit 0 when it verifies, 1 at the first divergence (the timeline is
                     still printed), or when the attempt is missing or FILE cannot be written.
  audit verify [--nats URL | --file F] [--tenant T] [--since ISO] [--until ISO] [--json]
               [--workers N]
                     Verify every attempt with a record in the range (the whole log by
                     default), each in full, in one streamed pass: summary with outcomes,
                     divergences (attempt, record, store position, code) and records/s.
                     Dates are UTC midnight; times need a zone. Exit 1 when anything does
                     not verify (AUDIT_NOT_VERIFIED). --workers: threads that verify
                     (default: cores - 1, at least 1; 0: this thread).
  audit search [range options] [--user U] [--outcome O] [--agent A]
               [--domain-controller DC] [--address IP|CIDR] [--limit N] [--json]
                     Attempts of the range that match, one line each (user, outcome, agents,
                     domain controllers, client address); --limit 0 prints all.
  audit export [range and search options] [--output FILE]
                     The matching attempts' records as stored, one per line (JSON Lines), to
                     a private file renamed into place when complete (or standard output);
                     audit verify --file and replay --file read it offline.
  paths [--json] [--strategy transitions|shortest|simple]
                     Print the model-based paths of the sign-in machine: each step an event
                     (with an example payload in --json) and the state expected after it,
                     and the coverage of the machine by these paths. For testers; the same
                     paths are exported by the package as passage/testing.
  bench [--concurrency N] [--duration SECONDS] [--directory slapd|URL] [--rate N] [--json]
        [--users N] [--agents N] [--agent-concurrency N] [--half-rate-duration SECONDS]
        [--baseline-duration SECONDS] [--warm-up SECONDS] [--data-dir D] [--cpu-prof DIR]
        [--no-audit] [--no-nats-permissions]
        [--bench-users NAME[,NAME] [--bench-password-file F] [--ldap-* options]]
                     Measure the real stack on this machine: starts nats-server, a directory
                     (a demo slapd seeded with benchmark users, or your URL), the service and
                     agents; measures raw ldapts binds and raw JetStream publishes; drives full
                     sign-ins through the HTTP API (default 16 at once for 20 s), then at half
                     the rate reached; replays the log it wrote (passage audit verify) at two
                     sizes. Prints sign-ins/s and their ratio to raw binds, the password step's
                     p50/p95/p99, the agent's validations/s per core, the publish and replay
                     rates. --json: one JSON object, the last line. --cpu-prof writes the
                     service's and agents' CPU profiles into DIR. With --directory URL the
                     agents take the --ldap-* options of up, and sign in as --bench-users
                     with the password in PASSAGE_BENCH_PASSWORD (or --bench-password-file).
                     Each process connects as its own NATS user, as under up;
                     --no-nats-permissions runs an open server (what the checks cost).
                     Exit 1 when a measured sign-in failed (BENCH_SIGN_INS_FAILED).
  help               Print this help.
  version            Print passage's version.
`;
