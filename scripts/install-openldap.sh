#!/usr/bin/env bash
# Installs OpenLDAP (Debian's slapd) and its command-line tools for the directory sync tests,
# and openssl, with which the TLS tests make a throwaway CA and server certificate.
# The tests start their own throwaway slapd on a loopback port (local/openldap.ts); the system
# service the package may configure is stopped so it does not hold port 389 or a stale database.
set -euo pipefail
if [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
  echo "openldap already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends slapd ldap-utils openssl
# Not every machine runs an init system; a missing service is not an error here.
$SUDO service slapd stop >/dev/null 2>&1 || true
/usr/sbin/slapd -VV 2>&1 | head -n1 || true
