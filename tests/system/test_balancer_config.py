"""docker/haproxy.cfg and docker/compose.workers.yml, read (no Docker engine here); the multi-worker test
(test_workers.py, slow) runs the same haproxy.cfg for real on loopback."""

from __future__ import annotations

import re

import yaml

from tests.system.centre import HAPROXY_CFG, loopback_haproxy_config
from voicebot.config import load_config

COMPOSE = HAPROXY_CFG.parent / "compose.workers.yml"


def test_every_worker_of_the_compose_file_is_behind_both_balancer_doors() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    workers = sorted(name for name in services if name.startswith("voicebot-"))
    assert len(workers) >= 2 and {"haproxy", "postgres", "asterisk"} <= set(services)
    config = HAPROXY_CFG.read_text()
    for name in workers:
        env = services[name]["environment"]
        assert env["VOICEBOT_STORE__URL"].startswith("postgresql://voicebot@postgres:")
        assert env["VOICEBOT_AUDIOSOCKET__ADVERTISE"] == f"{name}:9092"  # campaign calls come straight back
        assert re.search(rf"(?m)^\s+server \w+ {name}:8080$", config), name
        assert re.search(rf"(?m)^\s+server \w+ {name}:9092 port 8080$", config), name
    # The dialplan's AudioSocket(…,voicebot:9092) reaches HAProxy, which spreads the calls.
    assert "voicebot" in services["haproxy"]["networks"]["default"]["aliases"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in services["haproxy"]["volumes"]


def test_the_workers_environment_is_a_valid_configuration() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    env = {k: str(v) for k, v in services["voicebot-1"]["environment"].items() if k.startswith("VOICEBOT_")}
    config = load_config(HAPROXY_CFG.parent / "voicebot.yml", env=env)
    assert config.store.url == "postgresql://voicebot@postgres:5432/voicebot"
    assert config.audiosocket.advertise == "voicebot-1:9092"


def test_the_loopback_config_changes_only_addresses() -> None:
    text = HAPROXY_CFG.read_text()
    local = loopback_haproxy_config(text, 1, 2, [(11, 21), (12, 22), (13, 23)])
    for line in ("balance leastconn", "option httpchk GET /healthz", "timeout tunnel 2h", "mode tcp",
                 "option redispatch"):
        assert line in local and line in text
    assert "server worker3 127.0.0.1:23 port 13" in local and "bind 127.0.0.1:1" in local
