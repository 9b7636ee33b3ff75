"""Limits on plan files, checked before the YAML is composed into nodes.

A plan is a page or two of a government document: a handful of phases, tens of topics, at
most a few hundred tasks. Far larger files are mistakes or abuse (a 15 MB plan with 200,000
tasks once took 228 s and 2.8 GB to load, then filled the notice tables). So: at most
MAX_PLAN_BYTES (checked on the file's size, before reading it), at most LIMITS[key] entries in
each top-level list, and at most MAX_EVENTS YAML values in all, counted on libyaml's event
stream (no nodes built) and stopping at the first entry over a limit: a refusal costs well
under a second whatever the file holds.
"""

from __future__ import annotations

import yaml

MAX_PLAN_BYTES = 1024 * 1024
# Entries per top-level list; a list not named here (e.g. a later `rectifications`) gets MAX_ITEMS.
MAX_ITEMS = 2000
LIMITS = {"tasks": MAX_ITEMS, "phases": 50, "topics": 200}
MAX_EVENTS = 100_000  # YAML values in all; 2,000 full tasks are about 30,000

_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def over_limit(text: str) -> tuple[int, str] | None:
    """(line, message) for the first top-level list with too many entries, or None. Walks
    parser events (no nodes are built) and stops at the first entry over the limit."""
    depth = 0  # open collections
    key: str | None = None  # the top-level key whose value is being read
    expect_key = False
    counts: dict[str, int] = {}
    try:
        for seen, event in enumerate(yaml.parse(text, Loader=_EventLoader)):
            if seen > MAX_EVENTS:
                line = event.start_mark.line + 1
                return line, f"more than {MAX_EVENTS:,} values in the file; a plan is far smaller"
            if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if depth == 1 and expect_key:
                    key = event.value if isinstance(event, yaml.ScalarEvent) else None
                    expect_key = False
                    continue
                expect_key = depth == 1
            if depth == 2 and key is not None and not isinstance(event, yaml.CollectionEndEvent):
                counts[key] = counts.get(key, 0) + 1
                limit = LIMITS.get(key, MAX_ITEMS)
                if counts[key] > limit:
                    line = event.start_mark.line + 1
                    return (
                        line,
                        f"'{key}' lists more than {limit:,} entries; a plan may have {limit:,}",
                    )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth == 1:
                    expect_key = isinstance(event, yaml.MappingStartEvent)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                if depth == 1:
                    expect_key = True
    except yaml.YAMLError:
        return None  # composing reports it, with its line
    return None
