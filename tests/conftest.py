"""Shared fixtures: every test runs offline, writes only under tmp_path, and uses real parts."""

from __future__ import annotations

import os

# Before any library import: no analytics, no telemetry, loopback never through a proxy.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_var, None)

# Tests never write into the repo tree: no hypothesis example database (.hypothesis/).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("sanad", database=None)
_hypothesis_settings.load_profile("sanad")
