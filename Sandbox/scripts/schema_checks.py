"""What validate-events.py and validate-openapi.py share: the JSON Schema format checks the contract enforces
whatever a draft says about formats (`uuid`: the RFC 4122 text form; `date-time`: RFC 3339), and the report."""
import datetime
import re

from jsonschema import FormatChecker

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

checker = FormatChecker()


@checker.checks("uuid")
def is_uuid(value):
    return not isinstance(value, str) or bool(UUID.match(value))


@checker.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value.replace("t", "T")))
    return True


def report(problems, summary):
    """Prints each problem, then the summary with their count; the exit status (1 when there is any)."""
    for problem in problems:
        print(problem)
    print(f"{summary}: {len(problems)} problems")
    return 1 if problems else 0
