#!/usr/bin/env bash
# Makes a Docker engine and BOTH Compose flavours available for the Docker tests (CI, fresh Debian/Ubuntu
# machines): Compose v1 (`docker-compose` 1.29) from apt, and Compose v2 (the `docker compose` plugin), which
# Debian does not package, built from source with Go through the Go module proxy and installed as a Docker CLI
# plugin. Idempotent: installs only what is missing, starts dockerd only when `docker info` fails.
#
#   sudo scripts/ci-docker.sh            # install if needed, start dockerd if needed, print versions
#
# Environment:
#   DOCKERD_LOG            dockerd log file (default /tmp/dockerd.log)
#   DOCKERD_WAIT_SECONDS   how long to wait for the engine to answer (default 60)
#   COMPOSE_V2_VERSION     Compose v2 release to build (default v2.29.7)
#   COMPOSE_PLUGIN_DIR     where the v2 plugin goes (default /usr/local/lib/docker/cli-plugins)
#   CI_DOCKER_SKIP_V2=1    do not build Compose v2 (v1 only)
set -euo pipefail

log_file="${DOCKERD_LOG:-/tmp/dockerd.log}"
wait_seconds="${DOCKERD_WAIT_SECONDS:-60}"
compose_v2_version="${COMPOSE_V2_VERSION:-v2.29.7}"
plugin_dir="${COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

have_v2() { docker compose version >/dev/null 2>&1; }
have_v1() { command -v docker-compose >/dev/null 2>&1; }

# A Go toolchain >= 1.21 (Compose v2.29 needs it): PATH, /usr/local/go, else apt's golang-go.
find_go() {
  local go_bin
  for go_bin in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [ -n "$go_bin" ] && [ -x "$go_bin" ] || continue
    local minor
    minor="$("$go_bin" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
    if [ -n "$minor" ] && [ "$minor" -ge 21 ]; then
      echo "$go_bin"
      return 0
    fi
  done
  return 1
}

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-docker: apt-get not found; install Docker and Docker Compose by hand" >&2
    exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# 1. The engine (and a client).
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ci-docker: installing docker.io"
  apt_install docker.io
fi

# 2. Compose v1 (`docker-compose` 1.29, apt).
if ! have_v1; then
  echo "ci-docker: installing docker-compose (Compose v1)"
  apt_install docker-compose
fi

# 3. Compose v2: `go install` of the plugin through the Go module proxy, version stamped like a release build.
if ! have_v2 && [ "${CI_DOCKER_SKIP_V2:-0}" != "1" ]; then
  go_bin="$(find_go || true)"
  if [ -z "$go_bin" ]; then
    echo "ci-docker: no Go >= 1.21 found; trying apt's golang-go"
    apt_install golang-go ca-certificates git
    go_bin="$(find_go || true)"
  fi
  if [ -z "$go_bin" ]; then
    echo "ci-docker: Compose v2 needs Go >= 1.21 to build (found: $(go version 2>/dev/null || echo none)); install Go or set CI_DOCKER_SKIP_V2=1" >&2
    exit 1
  fi
  echo "ci-docker: building Compose ${compose_v2_version} with $("$go_bin" version)"
  gobin="$(mktemp -d)"
  started=$SECONDS
  GOBIN="$gobin" CGO_ENABLED=0 "$go_bin" install \
    -ldflags "-s -w -X=github.com/docker/compose/v2/internal.Version=${compose_v2_version}" \
    "github.com/docker/compose/v2/cmd@${compose_v2_version}"
  as_root mkdir -p "$plugin_dir"
  as_root install -m 0755 "$gobin/cmd" "$plugin_dir/docker-compose"
  rm -rf "$gobin"
  echo "ci-docker: Compose v2 installed as $plugin_dir/docker-compose in $((SECONDS - started))s"
fi

# 4. Start the engine when it does not answer.
if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    echo "ci-docker: starting docker with systemctl"
    as_root systemctl start docker || true
  fi
fi
if ! docker info >/dev/null 2>&1; then
  echo "ci-docker: starting dockerd in the background (log: $log_file)"
  as_root sh -c "nohup dockerd >'$log_file' 2>&1 &"
fi

deadline=$((SECONDS + wait_seconds))
until docker info >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "ci-docker: the Docker engine did not answer within ${wait_seconds}s; last log lines:" >&2
    tail -n 40 "$log_file" >&2 || true
    exit 1
  fi
  sleep 1
done

# 5. Versions, for the CI log (both flavours must answer: the Docker tests run under each).
docker version --format 'docker client {{.Client.Version}}, engine {{.Server.Version}} (API {{.Server.APIVersion}})'
if have_v2; then
  echo "compose v2: $(docker compose version --short)"
elif [ "${CI_DOCKER_SKIP_V2:-0}" != "1" ]; then
  echo "ci-docker: \`docker compose\` (v2) does not answer after the install" >&2
  exit 1
fi
echo "compose v1: $(docker-compose version --short)"
