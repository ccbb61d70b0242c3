"""The operator's Grafana dashboard (deploy/grafana/ichiba.json) and Prometheus alerting rules
(deploy/prometheus/alerts.yml) read only metrics the market exports; the dashboard shows every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from config import metrics

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = re.compile(r"_(total|bucket|count|sum)$")
NAME = re.compile(r"\b(ichiba_[a-z0-9_]+)")


def _expressions(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["expr"]] if isinstance(node.get("expr"), str) else []
        return found + [e for value in node.values() for e in _expressions(value)]
    if isinstance(node, list):
        return [e for value in node for e in _expressions(value)]
    return []


def test_the_dashboard_reads_only_metrics_the_market_exports() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "ichiba.json").read_text(encoding="utf-8"))
    expressions = _expressions(dashboard)
    assert len(expressions) >= 12
    used = {name for expr in expressions for name in NAME.findall(expr)}
    exported = metrics.exported_names()
    assert used - exported == set()
    # Every market metric is on the dashboard.
    assert {SUFFIX.sub("", name) for name in exported} - {SUFFIX.sub("", name) for name in used} == set()


def test_every_panel_reads_the_dashboards_prometheus() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "ichiba.json").read_text(encoding="utf-8"))
    [variable] = dashboard["templating"]["list"]
    assert variable["type"] == "datasource" and variable["query"] == "prometheus"
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_the_alerting_rules_read_only_metrics_the_market_exports() -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    [group] = rules["groups"]
    expressions = [rule["expr"] for rule in group["rules"]]
    assert len(expressions) >= 8 and all(rule["alert"].startswith("Ichiba") for rule in group["rules"])
    used = {name for expr in expressions for name in NAME.findall(expr)}
    assert used and used - metrics.exported_names() == set()
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
