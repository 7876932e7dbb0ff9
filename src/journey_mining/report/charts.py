"""The report's charts, drawn by Bokeh (its JavaScript ships in the bokeh wheel, inlined).

Each chart is a Bokeh document serialised with ``json_item`` and embedded by the page; a
click on a bar calls the page's own ``JM`` functions (highlight the step on the map, open
a finding). The numbers are the ones in the page's data (the funnel, trends and findings
rows), nothing is recomputed here.

Example:
    >>> funnel_parts({"went_on": 5, "converted_here": 1, "in_progress": 2, "stopped": 3})
    ['went_on', 'converted_here', 'in_progress', 'stopped']
"""

from __future__ import annotations

import json
from typing import Any

import bokeh.embed
import bokeh.models
import bokeh.plotting
from bokeh.resources import Resources

from journey_mining.report.queries import Row

# Bokeh's own annotations are stricter than the objects it accepts; this module uses it untyped.
_models: Any = bokeh.models
_plotting: Any = bokeh.plotting
_embed: Any = bokeh.embed
ColumnDataSource, CustomJS, HoverTool = (
    _models.ColumnDataSource,
    _models.CustomJS,
    _models.HoverTool,
)
Range1d, TapTool, Whisker = _models.Range1d, _models.TapTool, _models.Whisker
figure = _plotting.figure

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
PARTS = {
    "went_on": ("went on", "#4c78a8"),
    "converted_here": ("reached the goal here", "#54a24b"),
    "in_progress": ("still in progress", "#bab0ac"),
    "stopped": ("stopped here", "#e45756"),
}


def bokeh_javascript() -> str:
    """BokehJS (the core bundle only), from the installed bokeh package (never from a CDN)."""
    return "\n".join(Resources(mode="inline", components=["bokeh"]).js_raw)


def funnel_parts(row: Row) -> list[str]:
    """Which partition of ``reached`` the funnel rows carry (columns vary between versions)."""
    parts = [p for p in PARTS if p in row]
    return parts if len(parts) == len(PARTS) else []


def _style(plot: Any) -> None:
    plot.toolbar.logo = None
    plot.outline_line_color = None
    plot.background_fill_color = None
    plot.border_fill_color = None
    for axis in (plot.xaxis, plot.yaxis):
        axis.major_label_text_font = FONT
        axis.axis_label_text_font = FONT
        axis.axis_label_text_font_style = "normal"
        axis.major_label_text_font_size = "12px"
    plot.grid.grid_line_alpha = 0.35


def funnel_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Stacked horizontal bars per step: how the journeys that reached it went on."""
    if not rows:
        return None
    labels = [f"{r['step_no']}. {r['step']}" for r in rows]
    parts = funnel_parts(rows[0])
    data: dict[str, list[Any]] = {"label": labels, "step_no": [r["step_no"] for r in rows]}
    data["reached"] = [r.get("reached") or 0 for r in rows]
    if not parts:  # an older funnel: reached = went on + dropped
        data["went_on"] = [(r.get("reached") or 0) - (r.get("dropped") or 0) for r in rows]
        data["stopped"] = [r.get("dropped") or 0 for r in rows]
        parts = ["went_on", "stopped"]
    else:
        for part in parts:
            data[part] = [r.get(part) or 0 for r in rows]
    data["conversion"] = [
        "–" if r.get("conversion_to_next") is None else f"{r['conversion_to_next']:.0%}"
        for r in rows
    ]
    data["wait"] = [_duration(r.get("median_s_from_previous")) for r in rows]
    data["late"] = [
        f"{r['n_late'] / r['reached']:.0%}" if r.get("n_late") and r.get("reached") else "0%"
        for r in rows
    ]
    source = ColumnDataSource(data)
    plot = figure(
        y_range=list(reversed(labels)),
        height=60 + 34 * len(rows),
        sizing_mode="stretch_width",
        tools="tap",
        toolbar_location=None,
        x_axis_label="journeys",
    )
    plot.hbar_stack(
        parts,
        y="label",
        height=0.72,
        source=source,
        color=[PARTS[p][1] for p in parts],
        legend_label=[PARTS[p][0] for p in parts],
        line_color="white",
    )
    plot.add_tools(
        HoverTool(
            tooltips=[
                ("step", "@label"),
                ("reached", "@reached{0,0}"),
                *[(PARTS[p][0], f"@{p}{{0,0}}") for p in parts],
                ("conversion to next", "@conversion"),
                ("median wait from previous step", "@wait"),
                ("late (over its window)", "@late"),
            ]
        )
    )
    tap = plot.select_one(TapTool)
    tap.callback = CustomJS(
        args={"source": source},
        code="const i = source.selected.indices[0]; "
        "if (i !== undefined && window.JM) window.JM.focusStep(source.data.step_no[i]);",
    )
    plot.x_range.start = 0
    plot.legend.orientation = "horizontal"
    plot.legend.location = "top_right"
    plot.legend.label_text_font = FONT
    plot.legend.label_text_font_size = "12px"
    plot.legend.background_fill_alpha = 0.7
    plot.add_layout(plot.legend[0], "above")
    _style(plot)
    return _item(plot, "funnel-chart")


def trends_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Goal rate per month of journey start with its 95% interval; open dots: not final yet."""
    usable = [r for r in rows if r.get("goal_rate") is not None]
    if len(usable) < 2:
        return None
    data = {
        "month": [str(r["period_start"])[:7] for r in usable],
        "rate": [r["goal_rate"] for r in usable],
        "low": [r.get("goal_rate_low", r["goal_rate"]) for r in usable],
        "high": [r.get("goal_rate_high", r["goal_rate"]) for r in usable],
        "journeys": [r.get("journeys") for r in usable],
        "complete": ["final" if r.get("complete", True) else "not final yet" for r in usable],
        "fill": ["#4c78a8" if r.get("complete", True) else "white" for r in usable],
    }
    source = ColumnDataSource(data)
    plot = figure(
        x_range=data["month"],
        height=220,
        sizing_mode="stretch_width",
        tools="",
        toolbar_location=None,
        y_axis_label="goal rate",
    )
    plot.varea(x="month", y1="low", y2="high", source=source, fill_color="#4c78a8", fill_alpha=0.15)
    plot.line(x="month", y="rate", source=source, line_color="#4c78a8", line_width=2)
    dots = plot.scatter(
        x="month", y="rate", source=source, size=7, fill_color="fill", line_color="#4c78a8"
    )
    plot.add_tools(
        HoverTool(
            renderers=[dots],
            tooltips=[
                ("month", "@month"),
                ("goal rate", "@rate{0.0%}"),
                ("95% interval", "@low{0.0%} – @high{0.0%}"),
                ("journeys started", "@journeys{0,0}"),
                ("", "@complete"),
            ],
        )
    )
    plot.yaxis.formatter.use_scientific = False
    plot.xaxis.major_label_orientation = 0.8
    _style(plot)
    return _item(plot, "trends-chart")


def findings_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Effect sizes of the shown findings: difference in goal rate with its 95% interval."""
    usable = [r for r in rows if r.get("difference") is not None and r.get("label")][:15]
    if not usable or "difference_low" not in usable[0]:
        return None
    labels = [f"{i + 1}. {r['label'][:70]}" for i, r in enumerate(usable)]
    source = ColumnDataSource(
        {
            "label": labels,
            "difference": [r["difference"] for r in usable],
            "low": [r["difference_low"] for r in usable],
            "high": [r["difference_high"] for r in usable],
            "finding_id": [r.get("finding_id") for r in usable],
            "colour": ["#e45756" if (r["difference"] or 0) < 0 else "#54a24b" for r in usable],
        }
    )
    span = max(
        abs(v) for r in usable for v in (r["difference_low"], r["difference_high"]) if v is not None
    )
    plot = figure(
        y_range=list(reversed(labels)),
        height=70 + 26 * len(usable),
        sizing_mode="stretch_width",
        tools="tap",
        toolbar_location=None,
        x_axis_label="difference in goal rate (exposed − not)",
        x_range=Range1d(-span * 1.1, span * 1.1),
    )
    plot.add_layout(
        Whisker(
            base="label",
            lower="low",
            upper="high",
            source=source,
            dimension="width",
            line_color="#555",
        )
    )
    dots = plot.scatter(x="difference", y="label", source=source, size=9, color="colour")
    plot.add_tools(
        HoverTool(
            renderers=[dots],
            tooltips=[
                ("finding", "@label"),
                ("difference", "@difference{+0.0%}"),
                ("95% interval", "@low{+0.0%} – @high{+0.0%}"),
            ],
        )
    )
    plot.select_one(TapTool).callback = CustomJS(
        args={"source": source},
        code="const i = source.selected.indices[0]; "
        "if (i !== undefined && window.JM) window.JM.focusFinding(source.data.finding_id[i]);",
    )
    plot.xaxis.formatter.use_scientific = False
    _style(plot)
    plot.yaxis.major_label_text_font_size = "11px"
    return _item(plot, "findings-chart")


def _item(plot: Any, target: str) -> dict[str, Any]:
    item = _embed.json_item(plot, target)
    return dict(json.loads(json.dumps(item)))  # plain JSON types only


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
