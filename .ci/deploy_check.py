"""The deployment files hold together, where Docker is not at hand to run them: compose.yaml
has PostgreSQL, Redis, two Relaydesk replicas and a proxy, each with a healthcheck; the
replicas share one database and one Redis in webhook mode; the proxy's configuration names
both; the Dockerfile runs as a non-root user with a HEALTHCHECK; the systemd unit is hardened."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
REPLICAS = ("relaydesk-1", "relaydesk-2")


def problems() -> list[str]:
    found: list[str] = []
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose.get("services") or {}
    for name in ("postgres", "redis", *REPLICAS, "proxy"):
        if name not in services:
            found.append(f"compose.yaml: no service {name}")
        elif not (services[name].get("healthcheck") or {}).get("test"):
            found.append(f"compose.yaml: {name} has no healthcheck")
    replicas = [services.get(name) or {} for name in REPLICAS]
    shared = {
        key: {str((r.get("environment") or {}).get(key)) for r in replicas}
        for key in ("RELAYDESK_DATABASE_URL", "RELAYDESK_REDIS_URL", "RELAYDESK_TELEGRAM_MODE")
    }
    for key, values in shared.items():
        if len(values) != 1 or "None" in values:
            found.append(f"compose.yaml: the replicas do not share one {key}: {values}")
    if shared["RELAYDESK_TELEGRAM_MODE"] != {"webhook"}:
        found.append("compose.yaml: the replicas are not in webhook mode")
    for replica in replicas:
        if (replica.get("build") or {}).get("dockerfile") != "deploy/Dockerfile":
            found.append("compose.yaml: a replica is not built from deploy/Dockerfile")
    nginx = (DEPLOY / "nginx.conf").read_text()
    found += [f"nginx.conf: no upstream {n}" for n in REPLICAS if f"server {n}:8080" not in nginx]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for needed in ("FROM python:3.11-slim", "\nUSER ", "HEALTHCHECK", "/healthz", "relaydesk"):
        if needed not in dockerfile:
            found.append(f"Dockerfile: no {needed.strip()!r}")
    unit = (DEPLOY / "relaydesk.service").read_text()
    for needed in ("User=", "NoNewPrivileges=yes", "ProtectSystem=strict", "relaydesk run"):
        if needed not in unit:
            found.append(f"relaydesk.service: no {needed!r}")
    return found


if __name__ == "__main__":
    wrong = problems()
    print("\n".join(wrong) or "deploy/: compose.yaml, Dockerfile, nginx.conf, unit: ok")
    sys.exit(1 if wrong else 0)
