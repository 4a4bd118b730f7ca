"""Runs the independent SCIM 2.0 compliance checker scim2-tester (PyPI, pinned and installed
into .tools/scim2-tester by scripts/install-scim2-tester.sh) against a Herald /scim/v2.

Usage: PYTHONPATH=.tools/scim2-tester python3 scripts/scim-check.py <base url>/scim/v2 <api key>
Prints one JSON line per check ({status, title, reason, resourceType}) and exits 0.
"""
import json
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server

base_url, key = sys.argv[1], sys.argv[2]
with Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
    for r in check_server(SyncSCIMClient(http)):
        print(json.dumps({"status": r.status.name, "title": r.title, "reason": r.reason, "resourceType": r.resource_type}), flush=True)
