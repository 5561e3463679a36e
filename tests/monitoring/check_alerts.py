#!/usr/bin/env python3
"""Checks monitoring/alerts.yaml against the conventions docs/runbooks.md and the alerting path rely
on: recording rules named level:metric:operations; every alert with a severity (critical, warning or
none), a summary, a description and a runbook_url docs/runbooks.md#anchor whose heading exists; the
alerts the issue asks for are there; monitoring/tests has a test naming each alert.

usage: check_alerts.py SOURCE_DIR     (exit 0 when all holds; prints each problem otherwise)
"""

import os
import re
import sys

import yaml

REQUIRED_ALERTS = {
    "OeuvreHighLatencyP95", "OeuvreDbPoolSaturated", "OeuvreHighErrorRate", "OeuvreErrorBudgetBurnFast",
    "OeuvreErrorBudgetBurnSlow", "OeuvreNotReady", "OeuvreTargetDown", "OeuvreQueueBacklogGrowing",
    "OeuvreJobsFailing", "OeuvreBackupMissing", "Watchdog",
}


def anchors(markdown):
    """GitHub's anchors of the headings: lower case, punctuation dropped, spaces to dashes."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"#+\s+(.*)", line)
        if m:
            out.add(re.sub(r"[^a-z0-9 _-]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "monitoring", "alerts.yaml")) as f:
        rules = yaml.safe_load(f)
    with open(os.path.join(root, "docs", "runbooks.md")) as f:
        headings = anchors(f.read())
    tested = set()
    tests_dir = os.path.join(root, "monitoring", "tests")
    for name in os.listdir(tests_dir):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(tests_dir, name)) as f:
                for test in yaml.safe_load(f).get("tests", []):
                    for case in test.get("alert_rule_test", []):
                        tested.add((case["alertname"], bool(case.get("exp_alerts"))))

    problems = []
    alerts = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                if not re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", rule["record"]):
                    problems.append(f"recording rule {rule['record']}: not level:metric:operations")
                continue
            name = rule["alert"]
            alerts.add(name)
            labels, notes = rule.get("labels", {}), rule.get("annotations", {})
            if labels.get("severity") not in ("critical", "warning", "none"):
                problems.append(f"{name}: severity must be critical, warning or none")
            for key in ("summary", "description", "runbook_url"):
                if not notes.get(key):
                    problems.append(f"{name}: no {key} annotation")
            url = notes.get("runbook_url", "")
            m = re.fullmatch(r"docs/runbooks\.md#([a-z0-9-]+)", url)
            if not m:
                problems.append(f"{name}: runbook_url {url!r} is not docs/runbooks.md#anchor")
            elif m.group(1) not in headings:
                problems.append(f"{name}: docs/runbooks.md has no heading for #{m.group(1)}")
            if (name, True) not in tested:
                problems.append(f"{name}: no promtool test expects it to fire")
            if name != "Watchdog" and (name, False) not in tested:
                problems.append(f"{name}: no promtool test expects it to stay quiet")
    for name in sorted(REQUIRED_ALERTS - alerts):
        problems.append(f"{name}: missing from monitoring/alerts.yaml")
    for p in problems:
        print(p)
    print(f"{len(alerts)} alerts checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
