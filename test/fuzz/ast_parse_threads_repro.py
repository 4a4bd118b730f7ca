"""Reproduces CPython gh-106905 without schemathesis: `ast.parse` in two threads at once fails on
CPython 3.11 with `SystemError: AST constructor recursion depth mismatch`, the "Runtime Error" the
fuzz test met. Run: PYTHONPATH=.tools/schemathesis python3 test/fuzz/ast_parse_threads_repro.py [--serialised]
(--serialised: through run_schemathesis.py's lock, which the fuzz test uses; it never fails).
"""

import ast
import gc
import sys
import threading
import time

if "--serialised" in sys.argv:
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import run_schemathesis  # noqa: F401 - replaces ast.parse with the serialised one

SOURCE = ("x = [" + "[" * 40 + "1" + "]" * 40 + "]\n") * 500
# Python code run during a collection gives the interpreter a point to switch threads mid-parse
# (in schemathesis, Hypothesis's finalizers and weakref callbacks do the same).
gc.callbacks.append(lambda phase, info: time.sleep(0))
errors = []


def parse_repeatedly():
    for _ in range(40):
        try:
            ast.parse(SOURCE)
        except SystemError as error:
            errors.append(str(error))
            return


threads = [threading.Thread(target=parse_repeatedly) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"Python {sys.version.split()[0]}: {errors[0] if errors else 'no error'}")
sys.exit(1 if errors else 0)
