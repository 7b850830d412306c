"""The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no external assets."""

from __future__ import annotations

from html import escape

from glueguard.compliance.report import ComplianceReport, Metrics

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1d2733;background:#f6f8fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}.sub{color:#5b6b7b;font-size:13px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.tile{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 16px;min-width:170px}
.tile .v{font-size:26px;font-weight:600}.tile .l{font-size:12px;color:#5b6b7b}
.ok{color:#1a7f37}.warn{color:#9a6700}.bad{color:#cf222e}
.charts{display:flex;flex-wrap:wrap;gap:16px}.card{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}
th,td{border:1px solid #d8dee4;padding:4px 8px;text-align:left}th{background:#eef1f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
"""

_BEFORE, _AFTER, _BAR = "#d4a72c", "#2da44e", "#0969da"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _tone(value: float | None) -> str:
    if value is None:
        return ""
    return "ok" if value >= 99.99 else "warn" if value >= 90 else "bad"


def _tile(label: str, value: str, tone: str = "", note: str = "") -> str:
    return (
        f'<div class="tile"><div class="v {tone}">{escape(value)}</div><div class="l">{escape(label)}</div>'
        + (f'<div class="l">{escape(note)}</div>' if note else "")
        + "</div>"
    )


def hbar_chart(title: str, rows: list[tuple[str, float]], unit: str = "", color: str = _BAR, width: int = 460) -> str:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return f'<div class="card"><b>{escape(title)}</b><p class="sub">nothing to show</p></div>'
    label_w, bar_h, gap = 190, 18, 6
    top = max(v for _, v in rows) or 1.0
    height = len(rows) * (bar_h + gap) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = max((width - label_w - 70) * value / top, 1.5)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label[:32])}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return f'<div class="card"><b>{escape(title)}</b><br>{"".join(parts)}</div>'


def before_after_chart(title: str, rows: list[tuple[str, float | None, float | None]], width: int = 460) -> str:
    """Paired horizontal bars (found vs. after the sweep), in percent."""
    rows = [(label, b or 0.0, a or 0.0) for label, b, a in rows]
    if not rows:
        return f'<div class="card"><b>{escape(title)}</b><p class="sub">nothing to show</p></div>'
    label_w, bar_h, gap = 190, 10, 10
    span = width - label_w - 60
    height = len(rows) * (2 * bar_h + gap) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, before, after) in enumerate(rows):
        y = 5 + i * (2 * bar_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(label[:32])}</text>'
        )
        for j, (value, color) in enumerate(((before, _BEFORE), (after, _AFTER))):
            w = max(span * value / 100.0, 1.5)
            yy = y + j * bar_h
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h - 1}" fill="{color}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{yy + 9}" font-size="10">{value:.0f}%</text>')
    legend_y = height - 12
    parts.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="{_BEFORE}"/>')
    parts.append(f'<text x="{label_w + 14}" y="{legend_y}" font-size="11">found</text>')
    parts.append(f'<rect x="{label_w + 70}" y="{legend_y - 9}" width="10" height="10" fill="{_AFTER}"/>')
    parts.append(f'<text x="{label_w + 84}" y="{legend_y}" font-size="11">after the sweep</text>')
    parts.append("</svg>")
    return f'<div class="card"><b>{escape(title)}</b><br>{"".join(parts)}</div>'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="sub">none</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{escape(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tiles(m: Metrics, report: ComplianceReport) -> str:
    tiles = [
        _tile(
            "resources compliant after the sweep",
            _pct(m.compliance_pct_after),
            _tone(m.compliance_pct_after),
            f"found {_pct(m.compliance_pct_before)} ({m.compliant_before}/{m.resources})",
        ),
        _tile(
            "jobs in the project VPC",
            _pct(m.jobs_in_vpc_pct_after),
            _tone(m.jobs_in_vpc_pct_after),
            f"found {_pct(m.jobs_in_vpc_pct_before)} of {m.jobs} jobs",
        ),
        _tile(
            "naming compliance",
            _pct(m.naming_pct_after),
            _tone(m.naming_pct_after),
            f"found {_pct(m.naming_pct_before)}",
        ),
        _tile(
            "cross-project violations open",
            str(m.cross_project_violations_after),
            "ok" if m.cross_project_violations_after == 0 else "bad",
            f"found {m.cross_project_violations_before}",
        ),
        _tile("remediations", str(m.remediations), "", f"on {m.remediated_resources} resources"),
        _tile("errors", str(m.errors), "ok" if m.errors == 0 else "bad"),
    ]
    if report.cost:
        tiles.append(
            _tile(
                "cost in the window",
                f"${report.cost.total_cost_usd:,.2f}",
                "",
                f"{report.cost.total_dpu_hours:,.2f} DPU-hours",
            )
        )
    return '<div class="tiles">' + "".join(tiles) + "</div>"


def render_html(report: ComplianceReport, max_rows: int = 200) -> str:
    """The whole page."""
    m = report.metrics
    title = "glueguard compliance — " + ("all projects" if report.scope == "global" else f"project {report.scope}")
    projects = [p for p in report.projects if p.metrics.resources or p.cost_usd]
    sections = [
        f"<h1>{escape(title)}</h1>",
        f'<div class="sub">run {escape(report.run_id)} · generated {escape(report.generated_at)}'
        + (f" · swept {', '.join(map(escape, report.kinds_swept))}" if report.kinds_swept else "")
        + "</div>",
        _tiles(m, report),
        "<h2>Where each project stands</h2>",
        '<div class="charts">',
        before_after_chart(
            "Compliance by project",
            [
                (
                    p.project_id[:13] if p.project_id != "unowned" else "unowned",
                    p.metrics.compliance_pct_before,
                    p.metrics.compliance_pct_after,
                )
                for p in projects[:25]
            ],
        ),
        hbar_chart("Remediations by rule", list(report.remediations_by_rule.items())[:20]),
        hbar_chart("Violations found by rule", list(report.violations_by_rule.items())[:20], color="#cf222e"),
    ]
    if report.cost:
        sections.append(
            hbar_chart(
                "Cost by project (USD)",
                [(p.project_id[:13], round(p.cost_usd, 2)) for p in report.cost.projects[:20]],
                color="#8250df",
            )
        )
    sections.append("</div>")
    sections += [
        "<h2>Projects</h2>",
        _table(
            [
                "project",
                "owner",
                "resources",
                "compliant",
                "jobs in VPC",
                "naming",
                "cross-project open",
                "remediations",
                "DPU-hours",
                "cost USD",
            ],
            [
                [
                    p.project_id,
                    p.owner or "",
                    str(p.metrics.resources),
                    _pct(p.metrics.compliance_pct_after),
                    _pct(p.metrics.jobs_in_vpc_pct_after),
                    _pct(p.metrics.naming_pct_after),
                    str(p.metrics.cross_project_violations_after),
                    str(p.metrics.remediations),
                    "—" if p.dpu_hours is None else f"{p.dpu_hours:,.2f}",
                    "—" if p.cost_usd is None else f"{p.cost_usd:,.2f}",
                ]
                for p in report.projects
            ],
            numeric={2, 3, 4, 5, 6, 7, 8, 9},
        ),
    ]
    if report.success is not None:
        from glueguard.metrics.success import table_rows

        header, rows = table_rows(report.success.metrics)
        sections += [
            "<h2>Success metrics (design §13; definitions in docs/metrics.md)</h2>",
            _table(header, rows, numeric=set(range(2, len(header)))),
        ]
        if report.success.billing:
            sections.append(
                _table(
                    ["project", "month", "plane USD", "billing USD", "difference USD", "note"],
                    [
                        [
                            b.project_id,
                            b.month,
                            f"{b.plane_usd:,.2f}",
                            "—" if b.billing_usd is None else f"{b.billing_usd:,.2f}",
                            "—" if b.difference_usd is None else f"{b.difference_usd:,.2f}",
                            b.note,
                        ]
                        for b in report.success.billing
                    ],
                    numeric={2, 3, 4},
                )
            )
    still_open = [r for r in report.resources if not r.compliant_after]
    sections += [
        f"<h2>Resources still non-compliant ({len(still_open)})</h2>",
        _table(
            ["project", "kind", "name", "open violations", "error"],
            [
                [r.project_id, r.kind, r.name, ", ".join(f.rule for f in r.after if f.enforced), r.error or ""]
                for r in still_open[:max_rows]
            ],
        ),
    ]
    repaired = [r for r in report.resources if r.remediated_rules]
    sections += [
        f"<h2>Repaired by this sweep ({len(repaired)})</h2>",
        _table(
            ["project", "kind", "name", "rules"],
            [[r.project_id, r.kind, r.name, ", ".join(r.remediated_rules)] for r in repaired[:max_rows]],
        ),
    ]
    if report.advisories_by_rule:
        sections += [
            "<h2>Advisories (report-only rules)</h2>",
            _table(["rule", "resources"], [[k, str(v)] for k, v in report.advisories_by_rule.items()], {1}),
        ]
    if report.cost:
        c = report.cost
        sections += [
            f"<h2>Cost {escape(c.window_start[:10])} to {escape(c.window_end[:10])}</h2>",
            f'<p class="sub">${c.price_per_dpu_hour}/DPU-hour (FLEX ${c.flex_price_per_dpu_hour}); '
            "DPUSeconds when Glue reports them, else workers &times; duration.</p>",
            _table(
                ["project", "job", "runs", "DPU-hours", "cost USD"],
                [
                    [j.project_id, j.job_name, str(j.runs), f"{j.dpu_hours:,.3f}", f"{j.cost_usd:,.2f}"]
                    for j in c.jobs[:max_rows]
                    if j.runs
                ],
                {2, 3, 4},
            ),
            "<h2>Rightsizing hints</h2>",
            _table(
                ["project", "job", "hint", "message", "saving USD"],
                [
                    [
                        h.project_id,
                        h.job_name,
                        h.kind,
                        h.message,
                        "" if h.saving_usd is None else f"{h.saving_usd:,.2f}",
                    ]
                    for h in c.hints[:max_rows]
                ],
                {4},
            ),
        ]
    if report.kinds_not_swept:
        sections += [
            "<h2>Kinds not swept</h2>",
            _table(["kind", "why"], [[k, v] for k, v in report.kinds_not_swept.items()]),
        ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )
