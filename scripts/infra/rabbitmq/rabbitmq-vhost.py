"""Make sure a vhost exists and USER may use all of it, through the management API (idempotent).

Usage: python3 rabbitmq-vhost.py HOST MANAGEMENT_PORT USER PASSWORD VHOST
The development stack gets a vhost of its own, so test runs on the same broker neither feed
their events into its durable queues nor take its messages.
"""

import base64
import json
import sys
import urllib.parse
import urllib.request


def put(base, auth, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="PUT")
    req.add_header("Authorization", "Basic " + auth)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as res:
        if res.status not in (201, 204):
            raise RuntimeError(f"PUT {path}: HTTP {res.status}")


def main():
    host, port, user, password, vhost = sys.argv[1:6]
    base = f"http://{host}:{port}/api"
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    name = urllib.parse.quote(vhost, safe="")
    put(base, auth, f"/vhosts/{name}", {"description": "helpdesk development stack"})
    put(base, auth, f"/permissions/{name}/{urllib.parse.quote(user, safe='')}",
        {"configure": ".*", "write": ".*", "read": ".*"})


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # noqa: BLE001 - one line for the shell script's message
        print(f"rabbitmq-vhost: {err}", file=sys.stderr)
        sys.exit(1)
