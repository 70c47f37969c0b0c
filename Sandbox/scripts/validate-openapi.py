#!/usr/bin/env python3
"""Validates JSON answers against the OpenAPI document's schemas with `jsonschema` (draft 2020-12, the dialect of
OpenAPI 3.1).

usage: validate-openapi.py OPENAPI_JSON CASES_JSON

CASES_JSON is an array of cases, each either {"schema": NAME, "body": TEXT} (a component schema) or
{"method", "path", "status", "contentType", "body": TEXT} (an operation's answer: its status must be documented,
its content type must be the documented one, and a JSON body must validate against that response's schema).
Formats are enforced (schema_checks.py) and every object schema of the document is closed: a field it does not
define is a problem. Exit 0 when every case conforms, 1 otherwise (each problem printed), 2 on bad usage.
"""
import copy
import json
import pathlib
import sys

from jsonschema import Draft202012Validator

from schema_checks import checker, report


def closed(node):
    """A copy of the document in which every object schema with `properties` allows no other field."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: closed(value) for key, value in node.items()}
    if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
        result["additionalProperties"] = False
    return result


def resolve(document, node):
    """Follows `$ref: #/...` (a response object may be one) to what it names."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def answer_schema(document, case):
    """The schema a case's body must meet, or a problem; None when the answer has no JSON body to check."""
    method, path, status = case["method"].lower(), case["path"], str(case["status"])
    operation = document.get("paths", {}).get(path, {}).get(method)
    if operation is None:
        return None, f"{method.upper()} {path} is not documented"
    responses = operation.get("responses", {})
    if status not in responses:
        return None, f"status {status} is not documented ({sorted(responses)})"
    content = resolve(document, responses[status]).get("content")
    if content is None:
        return None, None
    media = (case.get("contentType") or "").split(";")[0].strip()
    if media not in content:
        return None, f"content type {media!r} is not {sorted(content)}"
    if not media.endswith("json") or "schema" not in content[media]:
        return None, None
    return content[media]["schema"], None


def problems_of(document, case):
    if "schema" in case:
        schema, problem = {"$ref": f"#/components/schemas/{case['schema']}"}, None
    else:
        schema, problem = answer_schema(document, case)
    if schema is None:
        return [problem] if problem else []
    try:
        body = json.loads(case["body"])
    except ValueError as error:
        return [f"the body is not JSON ({error})"]
    validator = Draft202012Validator({"components": document.get("components", {}), **schema}, format_checker=checker)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    return ["/" + "/".join(str(p) for p in error.absolute_path) + f": {error.message}" for error in errors]


def label(case):
    return case.get("schema") or f"{case.get('method')} {case.get('path')} {case.get('status')}"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    document = closed(json.loads(pathlib.Path(argv[1]).read_text()))
    cases = json.loads(pathlib.Path(argv[2]).read_text())
    problems = []
    for index, case in enumerate(cases):
        problems += [f"case {index} ({label(case)}): {problem}" for problem in problems_of(document, case)]
    return report(problems, f"{len(cases)} answers checked against the OpenAPI document")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
