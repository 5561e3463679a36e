# Œuvre's image: `oeuvre serve` on Debian 12, built from this tree.
#
#   docker build -t oeuvre .
#   docker run -p 8080:8080 -v oeuvre-data:/var/lib/oeuvre oeuvre
#
# Configuration is the environment (docs/operations.md, deploy/.env.example); secrets come as files
# through X_FILE (DATABASE_URL_FILE=/run/secrets/database_url, ...). deploy/docker-compose.yml runs it
# with PostgreSQL, Redis, an S3-compatible store, Prometheus and Alertmanager.

# --- build: the same Release configuration as scripts/run.sh ----------------------------------------
FROM debian:12-slim AS build
# The build dependencies of scripts/setup.sh, without the test, benchmark and server packages;
# nodejs and npm build the web app here only (the runtime image has no Node).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config nodejs npm ca-certificates \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libpq-dev libsqlite3-dev libssl-dev libsodium-dev libcli11-dev \
      prometheus-cpp-dev libzstd-dev libcurl4-openssl-dev libhiredis-dev libexpat1-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The web app first (its layer is reused while only the C++ changes): npm ci from its lock file, then
# npm run build into web/dist, which the cmake build below compiles in. "we[b]" may match nothing
# (a tree without the app): BuildKit then copies nothing, build_web.sh skips, and "/" answers a page
# saying the app was not built.
COPY scripts/build_web.sh scripts/build_web.sh
COPY we[b] web/
RUN bash scripts/build_web.sh
# Only what the `oeuvre` target reads: the migrations, the OpenAPI document and web/dist are compiled in.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY migrations/ migrations/
COPY docs/openapi.json docs/openapi.json
COPY src/ src/
RUN cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF \
 && cmake --build build/release --target oeuvre \
 && strip build/release/oeuvre

# --- runtime --------------------------------------------------------------------------------------
FROM debian:12-slim
# The packages of the shared libraries the binary links (tests/deploy/check_deploy_files.sh compares
# them with the binary's; libboost-container: a Debug build links it, no package depends on it), and:
#   ca-certificates       libcurl verifies S3 and Secrets Manager over HTTPS with it;
#   postgresql-client-15  pg_dump and psql, which backups and restores of a PostgreSQL database run;
#   curl                  the HEALTHCHECK below.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-container1.81.0 libboost-url1.81.0 \
      libpq5 libsqlite3-0 libssl3 libsodium23 \
      libprometheus-cpp-core1.0 libzstd1 libcurl4 libhiredis0.14 libexpat1 \
      ca-certificates postgresql-client-15 curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed, non-root uid, so that secret files and volumes can be given to it on the host
# (chown 10001 FILE). No login shell, no home besides the state folder.
RUN groupadd --system --gid 10001 oeuvre \
 && useradd --system --uid 10001 --gid oeuvre --home-dir /var/lib/oeuvre --no-create-home \
      --shell /usr/sbin/nologin oeuvre \
 && install -d -m 0700 -o oeuvre -g oeuvre /var/lib/oeuvre

COPY --from=build /src/build/release/oeuvre /usr/local/bin/oeuvre
# Fails the build when a library the binary needs is missing from the list above.
RUN ! ldd /usr/local/bin/oeuvre | grep 'not found' && /usr/local/bin/oeuvre --help >/dev/null

# VAR_DIR holds the generated JWT key (when JWT_SECRET is not given), uploaded files, backup work files
# and, on the embedded default, the SQLite database: DATABASE_URL defaults to sqlite://./var/oeuvre.db,
# relative to the working directory, so it lands in the volume too. DATABASE_URL is not set here: it is
# a secret, and setting it beside DATABASE_URL_FILE stops the start.
ENV VAR_DIR=/var/lib/oeuvre \
    HOST=0.0.0.0
WORKDIR /var/lib/oeuvre
VOLUME ["/var/lib/oeuvre"]

# 8080: the API (PORT). 9464: GET /metrics (METRICS_PORT), internal: it listens on METRICS_ADDRESS,
# loopback unless set; before opening it to Prometheus (METRICS_ADDRESS=0.0.0.0) set METRICS_TOKEN.
# Œuvre speaks plain HTTP: terminate TLS in front of it.
EXPOSE 8080 9464

USER 10001:10001

# Ready means the store answers (GET /health/ready is 503 otherwise).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT:-8080}/health/ready" || exit 1

# `oeuvre serve` applies pending migrations itself before it listens (each in its own transaction; on
# PostgreSQL under an advisory lock, so nodes starting together take turns): no separate step is
# needed. `docker run ... oeuvre migrate` applies them and exits, for running them ahead of a rollout.
# SIGTERM (docker stop) stops accepting, lets in-flight requests finish for SHUTDOWN_GRACE_SECONDS
# (30) and hands running jobs and parses back to the queue: give `docker stop` more than that
# (docker stop -t 45; compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/oeuvre"]
CMD ["serve"]
