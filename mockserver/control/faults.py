"""Control routes for fault rules and scenario presets."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from ..errors import ControlError
from ..faults.engine import add_rule, list_rules
from ..faults.rules import FaultRuleError, parse_rule
from ..faults.scenarios import ScenarioError, read_scenario, scenario_names
from ..state import state
from .base import bp


@bp.get("/faults")
def faults() -> Response:
    return jsonify(list_rules(state().db.connect()))


@bp.post("/faults")
def add_fault() -> tuple[Response, int]:
    """`{"match": {...}, "trigger": {...}, "effect": {...}}` → 201 with the rule and its id."""
    st = state()
    try:
        rule = parse_rule(request.get_json(silent=True))
    except FaultRuleError as exc:
        raise ControlError(str(exc)) from None
    with st.db.transaction() as tx:
        rule_id = add_rule(tx, rule, "api", st.clock.now())
    return jsonify({"id": rule_id, "source": "api", **rule}), 201


@bp.delete("/faults/<int:rule_id>")
def delete_fault(rule_id: int) -> Response:
    if rule_id > 2**63 - 1:  # beyond SQLite's integers: certainly no such rule
        raise ControlError(f"no fault rule {rule_id}", status=404)
    with state().db.transaction() as tx:
        gone = tx.execute("DELETE FROM faults WHERE id = ?", (rule_id,)).rowcount
    if not gone:
        raise ControlError(f"no fault rule {rule_id}", status=404)
    return jsonify({"deleted": rule_id})


@bp.delete("/faults")
def clear_faults() -> Response:
    with state().db.transaction() as tx:
        gone = tx.execute("DELETE FROM faults").rowcount
    return jsonify({"deleted": gone})


@bp.get("/scenarios")
def scenarios() -> Response:
    st = state()
    presets = [
        read_scenario(n, st.settings.fixtures_dir) for n in scenario_names(st.settings.fixtures_dir)
    ]
    return jsonify(
        [
            {
                "name": p.name,
                "description": p.description,
                "settings": p.settings,
                "faults": p.faults,
            }
            for p in presets
        ]
    )


@bp.post("/scenarios/<name>")
def load_scenario(name: str) -> Response:
    """Install a preset's fault rules now; its settings only apply at start."""
    st = state()
    try:
        preset = read_scenario(name, st.settings.fixtures_dir)
        rules = [parse_rule(r) for r in preset.faults]
    except (ScenarioError, FaultRuleError) as exc:
        raise ControlError(str(exc), status=404 if "no scenario" in str(exc) else 400) from None
    with st.db.transaction() as tx:
        ids = [add_rule(tx, r, f"scenario:{name}", st.clock.now()) for r in rules]
    current = {k: getattr(st.settings, k) for k in preset.settings}
    pending = {k: v for k, v in preset.settings.items() if str(current[k]) != str(v)}
    return jsonify(
        {
            "scenario": name,
            "fault_ids": ids,
            "settings_not_applied": pending,
            "note": "settings of a preset apply at start: serve --scenario " + name
            if pending
            else "",
        }
    )
