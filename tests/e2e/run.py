#!/usr/bin/env python3
"""Runs scry's end-to-end tests (standard library unittest, no pytest).

    SCRY_BUILD=build python3 tests/e2e/run.py            all tests/e2e/test_*.py
    python3 tests/e2e/run.py test_core.py                one file
    python3 tests/e2e/run.py test_core.Attach.test_busy  one test (dotted name)
    python3 tests/e2e/run.py sigusr1                     tests whose id contains a word

The last line is "N passed, N failed" (", N skipped" when some were), and the
exit status is 1 when any test failed.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def load(args):
    loader = unittest.TestLoader()
    everything = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if not args:
        return everything
    suite = unittest.TestSuite()
    for arg in args:
        base = os.path.basename(arg)
        if base.endswith(".py"):
            suite.addTests(loader.loadTestsFromName(base[:-3]))
        elif os.path.exists(os.path.join(HERE, base + ".py")):
            suite.addTests(loader.loadTestsFromName(base))
        elif "." in arg:
            suite.addTests(loader.loadTestsFromName(arg))
        else:
            picked = [t for t in iter_tests(everything) if arg in t.id()]
            if not picked:
                sys.exit("run.py: no test matches %r" % arg)
            suite.addTests(picked)
    return suite


def main():
    suite = load(sys.argv[1:])
    start = time.monotonic()
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout)
    res = runner.run(suite)
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    skipped = len(res.skipped)
    passed = res.testsRun - failed - skipped - len(res.expectedFailures)
    print("e2e: %.1f s" % (time.monotonic() - start))
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    sys.stdout.flush()
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
