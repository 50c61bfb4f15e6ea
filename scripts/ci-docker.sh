#!/usr/bin/env bash
# Makes a Docker engine and Docker Compose available for the Docker tests (CI, fresh Debian/Ubuntu
# machines). Idempotent: does nothing when `docker info` already works and a Compose flavour exists.
#
#   sudo scripts/ci-docker.sh            # install if needed, start dockerd if needed, print versions
#
# Environment:
#   DOCKERD_LOG            dockerd log file (default /tmp/dockerd.log)
#   DOCKERD_WAIT_SECONDS   how long to wait for the engine to answer (default 60)
set -euo pipefail

log_file="${DOCKERD_LOG:-/tmp/dockerd.log}"
wait_seconds="${DOCKERD_WAIT_SECONDS:-60}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

have_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1
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

# 2. Compose: v2 plugin (`docker compose`) preferred, else v1 (`docker-compose`).
if ! have_compose; then
  echo "ci-docker: installing docker-compose"
  apt_install docker-compose
fi

# 3. Start the engine when it does not answer.
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

# 4. Versions, for the CI log.
docker version --format 'docker client {{.Client.Version}}, engine {{.Server.Version}} (API {{.Server.APIVersion}})'
if docker compose version >/dev/null 2>&1; then
  docker compose version
else
  docker-compose version --short | sed 's/^/docker-compose (v1) /'
fi
