#!/usr/bin/env bash
# Installs the ClickHouse server the analytics tests run against (Debian/Ubuntu package;
# Debian 12 ships 18.16). The tests start their own throwaway server from the binary; the
# system service is left stopped.
set -euo pipefail
if command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || command -v clickhouse >/dev/null 2>&1; then
  echo "clickhouse already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clickhouse-server
ls -l /usr/sbin/clickhouse-server 2>/dev/null || command -v clickhouse
