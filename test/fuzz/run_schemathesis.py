"""The pinned schemathesis CLI (.tools/schemathesis, on PYTHONPATH) for schemathesis.test.ts, with
one workaround for the interpreter under it.

CPython 3.11 keeps the recursion depth of `ast.parse` in state every thread shares (CPython issue
gh-106905). With `--workers 2`, Hypothesis parses source code (to describe its strategies) in both
workers, and a garbage collection that runs Python code mid-parse lets the other thread parse in
between: the first then fails with `SystemError: AST constructor recursion depth mismatch`, which
schemathesis reports as a "Runtime Error" and which ends that phase for the operation it was
drawing for. ast_parse_threads_repro.py shows it without schemathesis (it fails on the 3.11.7
this project's machines run; 3.12.1 and 3.13.0 pass it). One parse at a time removes the race and
keeps both workers: with one worker the bounded run no longer reaches the stateful phase.
"""

import ast
import sys
import threading

_parse = ast.parse
# Re-entrant: a collection inside a parse may run code that parses again in the same thread.
_one_at_a_time = threading.RLock()


def _serialised_parse(*args, **kwargs):
    with _one_at_a_time:
        return _parse(*args, **kwargs)


ast.parse = _serialised_parse

from schemathesis.cli import schemathesis  # noqa: E402 - after the patch, so every import sees it

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
