"""The example alert rules in docker/ name only metrics that voicebot exposes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.analytics.calls import ORDER, converse
from voicebot.analytics.gauges import DriftCollector
from voicebot.metrics import Metrics
from voicebot.store.calls import CallStore

RULES = Path(__file__).resolve().parents[2] / "docker" / "prometheus" / "voicebot-alerts.yml"


def test_every_metric_in_the_alert_rules_is_exposed(tmp_path: Path) -> None:
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    used = {name for rule in rules
            for name in re.findall(r"voicebot_[a-z_]+", rule["expr"] + str(rule["annotations"]))}
    store = CallStore(tmp_path / "calls.db")
    store.save(converse(ORDER))
    metrics = Metrics()
    metrics.registry.register(DriftCollector(store.query))
    metrics.call_usage("acme", 12.5, 3.0)
    metrics.observe_latency_ms(400)
    metrics.store_errors.inc()
    exposed = metrics.render()[0].decode()
    store.close()
    missing = sorted(name for name in used if not re.search(rf"^{name}[{{ ]", exposed, re.MULTILINE))
    assert not missing, missing
    assert 'voicebot_key_audio_seconds_total{direction="in",key="acme"} 12.5' in exposed
