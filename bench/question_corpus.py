"""The question parser's coverage: the phrasing corpus (tests/data/questions/corpus.yaml)
asked through the router over the three seed plans, in process (a second or two).

Run: python -m bench.question_corpus [--failures]
Prints the share of questions answered with the expected facts, per kind and overall, and
PASS/FAIL against 97%; exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import sys

from tests.question_corpus import KINDS, run, summary

TARGET = 0.97


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list every failed question")
    args = parser.parse_args(argv)
    results = run()
    share, kinds = summary(results)
    for kind in KINDS:
        passed, total = kinds.get(kind, (0, 0))
        print(f"  {kind:<16} {passed:>4}/{total:<4} {passed / total if total else 0:6.1%}")
    passed = sum(r.passed for r in results)
    print(
        f"question corpus: {passed}/{len(results)} answered with the expected facts ({share:.1%})"
    )
    if args.failures:
        for result in results:
            if not result.passed:
                case = result.case
                print(
                    f"FAIL [{case.kind}] {case.plan} {case.today} {case.text!r}: "
                    f"{'; '.join(result.problems)}\n    {result.answer[:160]!r}"
                )
    verdict = "PASS" if share >= TARGET else "FAIL"
    print(f"{verdict}: {share:.1%} {'>=' if verdict == 'PASS' else '<'} {TARGET:.0%}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
