"""`st` (schemathesis's command line), with one CPython 3.11 bug stepped around.

Hypothesis describes a strategy's lambdas by parsing the source of the module that holds them.
Deep inside test-case generation, parsing schemathesis's JSON-schema strategies module trips
CPython 3.11's AST recursion accounting ("SystemError: AST constructor recursion depth
mismatch", python/cpython gh-106905), and the operation errors instead of being tested. Parsed
here first, at the top of the stack, into a cache every worker thread shares (Hypothesis's own
is per thread), the module's lambdas are found and the deep parse never happens.
"""

import ast
import inspect
import sys

import schemathesis.generation.jsonschema.strategy as strategies
from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis

lines = tuple(inspect.findsource(strategies)[0])
lambda_sources.AST_LAMBDAS_CACHE = {
    lines: lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))
}
sys.exit(schemathesis())
