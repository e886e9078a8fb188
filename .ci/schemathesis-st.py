"""`st` (schemathesis's command line), with one CPython 3.11 bug stepped around.

Hypothesis describes a strategy's lambdas by parsing the source of the module that holds them.
Deep inside test-case generation, parsing schemathesis's JSON-schema strategies module trips
CPython 3.11's AST recursion accounting ("SystemError: AST constructor recursion depth
mismatch", python/cpython gh-106905), and the operation errors instead of being tested. Parsed
here first, at the top of the stack, into a cache every worker thread shares (Hypothesis's own
is per thread), the module's lambdas are found and the deep parse never happens.
"""

import ast
import datetime
import inspect
import sys

import schemathesis
import schemathesis.openapi as openapi_formats
from hypothesis import strategies as hs

import schemathesis.generation.jsonschema.strategy as strategies
from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis as command_line

lines = tuple(inspect.findsource(strategies)[0])
lambda_sources.AST_LAMBDAS_CACHE = {
    lines: lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))
}

# `format: gb11643` (a resident ID number): its check character is beyond a pattern, so the
# document names the format and valid numbers are generated here (region, birth date, sequence,
# check character per GB 11643-1999).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def gb11643(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


openapi_formats.format(
    "gb11643",
    hs.builds(
        gb11643,
        hs.sampled_from(["110101", "130302", "310104", "440305"]),
        hs.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
        hs.integers(0, 999),
    ),
)


# A multipart field's name travels in its part's header as a quoted string (RFC 7578 §4.2): a
# header cannot carry control characters (RFC 9110 §5.5), and the HTTP client writes `"` and `\`
# into the quotes unescaped. Nor has a part a null value: the client writes JSON's null as the
# text "null", which a real client never sends for a field it leaves out. A body with such a
# name or value is not the request it claims to be, so none is sent.
@schemathesis.hook
def filter_case(context, case):
    if case.media_type != "multipart/form-data" or not isinstance(case.body, dict):
        return True
    if any(value is None for value in case.body.values()):
        return False
    return not any(
        ord(c) < 0x20 or ord(c) == 0x7F or c in '"\\' for name in case.body for c in str(name)
    )


sys.exit(command_line())
