"""The metrics are projections: computing them must not load a UI or plotting library."""

from __future__ import annotations

import subprocess
import sys


def test_metrics_load_neither_plotext_nor_textual() -> None:
    code = ("import sys, projections.metrics; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('plotext', 'textual', 'rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
