#!/usr/bin/env python3
"""Validates events from the feed against the contract's JSON Schemas (draft-07) with `jsonschema`.

usage: validate-events.py SCHEMA_DIR [SCHEMA_DIR...] EVENTS_JSON

EVENTS_JSON is a `GET /events` answer ({"events": [...]}) or a JSON array of events. Each event's `data`
must validate against `<type>.schema.json` from the first SCHEMA_DIR that has it (the contract's, then the
project's extensions) with formats enforced (`uuid`: the RFC 4122 text
form; `date-time`: RFC 3339), and carry no field the schema does not define. Exit 0 when every event is
valid, 1 otherwise (each problem printed), 2 on bad usage.
"""
import json
import pathlib
import sys

from jsonschema import Draft7Validator

from schema_checks import checker, report


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema_dirs, events_path = [pathlib.Path(d) for d in argv[1:-1]], pathlib.Path(argv[-1])
    feed = json.loads(events_path.read_text())
    events = feed["events"] if isinstance(feed, dict) else feed
    validators, problems = {}, []
    for index, event in enumerate(events):
        where = f"event {index} ({event.get('id')}, {event.get('type')})"
        for field in ("id", "type", "occurredAt", "data"):
            if field not in event:
                problems.append(f"{where}: no `{field}`")
        if not checker.conforms(event.get("occurredAt"), "date-time"):
            problems.append(f"{where}: occurredAt {event.get('occurredAt')!r} is not RFC 3339")
        kind = event.get("type")
        if kind not in validators:
            path = next((d / f"{kind}.schema.json" for d in schema_dirs if (d / f"{kind}.schema.json").is_file()), None)
            if path is None:
                problems.append(f"{where}: no schema {kind}.schema.json")
                continue
            schema = json.loads(path.read_text())
            Draft7Validator.check_schema(schema)
            validators[kind] = (Draft7Validator(schema, format_checker=checker), set(schema.get("properties", {})))
        validator, properties = validators[kind]
        data = event.get("data")
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
            pointer = "/" + "/".join(str(p) for p in error.path)
            problems.append(f"{where}: data{pointer}: {error.message}")
        if isinstance(data, dict):
            for extra in sorted(set(data) - properties):
                problems.append(f"{where}: data/{extra} is not in the schema")
    return report(problems, f"{len(events)} events checked against {len(validators)} schemas")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
