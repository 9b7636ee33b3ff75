"""Browser tests (pytest marker `browser`): see conftest.py."""

import os

import pytest

if not os.environ.get("CI"):  # under CI a missing selenium fails the collection instead
    pytest.importorskip("selenium", reason="not installed: pip install -r requirements-dev.txt")
