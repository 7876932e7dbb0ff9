"""Assemble the one-file page: template, our CSS and JavaScript, BokehJS, and the data.

Everything is inlined, so the page works offline and makes no request: our own assets
(``report/assets/``: template, ``report.css``, ``report.js``) and BokehJS read from the
installed bokeh package when the report is built. The data is one JSON document in a
``<script type="application/json">`` element; ``</`` is escaped so no value can end it.

Example:
    >>> embed_json({"label": "</script>"})
    '{"label":"<\\\\/script>"}'
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from typing import Any

from journey_mining.report.charts import bokeh_javascript

MARKERS = ("/*{{ css }}*/", "/*{{ bokeh }}*/", "{{ data }}", "/*{{ js }}*/", "{{ title }}")


def asset(name: str) -> str:
    """One of the page's own assets, shipped as package data."""
    return (files("journey_mining.report") / "assets" / name).read_text(encoding="utf-8")


def embed_json(payload: Any) -> str:
    """JSON safe inside a script element (no ``</`` and no ``<!--``)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_page(payload: dict[str, Any]) -> str:
    """The report's HTML."""
    page = asset("report.html")
    for marker in MARKERS:
        if marker not in page:
            raise RuntimeError(f"report.html lost its {marker} marker")
    values = {
        "/*{{ css }}*/": asset("report.css"),
        "/*{{ bokeh }}*/": bokeh_javascript().replace("</script", "<\\/script"),
        "{{ data }}": embed_json(payload),
        "/*{{ js }}*/": asset("report.js"),
        "{{ title }}": escape(str(payload["meta"]["title"])),
    }
    # one pass, so a marker-like text inside a value is never replaced again
    out = []
    rest = page
    while True:
        positions = [(rest.find(m), m) for m in MARKERS if rest.find(m) >= 0]
        if not positions:
            out.append(rest)
            break
        position, marker = min(positions)
        out.append(rest[:position])
        out.append(values[marker])
        rest = rest[position + len(marker) :]
    return "".join(out)
