"""The HTML report: one self-contained file (inline CSS, SVG charts drawn here, a few lines of inline JS
to sort tables), readable on a phone. Nothing is fetched: no fonts, scripts or images from anywhere.

Only what the store holds is shown: counts, URIs, owners, masked previews. Every string from the store
goes through :func:`html.escape`, since file names and owners are attacker-controlled text.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

CSS = """
:root{--fg:#1d2433;--muted:#5b6475;--bg:#fff;--card:#f4f6fa;--line:#d8dde6;--a:#2d6cdf;--b:#d9822b;--c:#c23b3b;--d:#3b9c5a}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg);margin:0;padding:0 1rem 3rem;max-width:1100px;margin-inline:auto}
h1{font-size:1.4rem;margin:1rem 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--line)}
.muted{color:var(--muted);font-size:.9em}nav{display:flex;flex-wrap:wrap;gap:.2em .9em}nav a{white-space:nowrap}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.6rem}
.card{background:var(--card);border-radius:8px;padding:.6rem .8rem}.card b{display:block;font-size:1.5rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);
text-align:left;vertical-align:top}th{cursor:pointer;background:var(--card);position:sticky;top:0;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.uri{word-break:break-all;min-width:12em}
svg.chart{width:100%;height:auto;max-width:760px;display:block}svg text{font-size:12px;fill:var(--fg)}
.sev4{color:var(--c);font-weight:600}.sev3{color:var(--b);font-weight:600}.tag{display:inline-block;background:var(--card);
border-radius:4px;padding:0 .35em;margin:1px;font-size:.85em}
@media (max-width:600px){body{font-size:14px;padding:0 .5rem 2rem}.card b{font-size:1.2rem}td,th{padding:.25rem}}
"""

# Click a header to sort its table; numbers sort as numbers. Inline, so the report needs nothing else.
JS = """
document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
var t=th.closest('table'),b=t.tBodies[0],rows=Array.from(b.rows),asc=th.getAttribute('aria-sort')!=='ascending';
t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});th.setAttribute('aria-sort',asc?'ascending':'descending');
rows.sort(function(x,y){var a=x.cells[i].dataset.v||x.cells[i].textContent,
c=y.cells[i].dataset.v||y.cells[i].textContent,p=parseFloat(a),q=parseFloat(c);
var r=(!isNaN(p)&&!isNaN(q))?p-q:a.localeCompare(c);return asc?r:-r});
rows.forEach(function(r){b.appendChild(r)})})});
"""

PALETTE = ("#2d6cdf", "#d9822b", "#c23b3b", "#3b9c5a", "#7a4fd6", "#6b7280")


def _date(ts: float | None) -> str:
    if ts is None:
        return "-"
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else "\u2026" + text[-(n - 1):]


def bar_chart(pairs: list[tuple[str, int]], label: str, color: str = PALETTE[0]) -> str:
    """A horizontal bar chart (SVG) of name/value pairs; scales to the page width."""
    if not pairs:
        return '<p class="muted">Nothing to chart.</p>'
    row, left, width = 24, 230, 760
    top = max(v for _, v in pairs) or 1
    height = row * len(pairs) + 10
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for n, (name, value) in enumerate(pairs):
        y = 5 + n * row
        w = max(1.0, (width - left - 60) * value / top)
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(_short(name, 34))}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="3" fill="{color}">'
                     f'<title>{escape(name)}: {value}</title></rect>'
                     f'<text x="{left + w + 5:.1f}" y="{y + 15}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: list[str], series: dict[str, list[float]], label: str) -> str:
    """A line chart (SVG) of several series over runs, with a legend."""
    if not labels:
        return '<p class="muted">No runs yet.</p>'
    width, height, left, right, top_pad, bottom = 760, 240, 50, 20, 30, 40
    top = max((v for vals in series.values() for v in vals), default=0) or 1
    span = max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / span if len(labels) > 1 else 0.5)

    def y(v: float) -> float:
        return top_pad + (height - top_pad - bottom) * (1 - v / top)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">',
             f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end">{top:g}</text>',
             f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>']
    step = max(1, len(labels) // 8)
    for i, text in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{height - 18}" text-anchor="middle">{escape(text)}</text>')
    for n, (name, values) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        if len(values) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{points}"/>')
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{color}">'
                         f'<title>{escape(name)} run {escape(labels[i])}: {v:g}</title></circle>')
        parts.append(f'<rect x="{left + n * 170}" y="6" width="12" height="12" fill="{color}"/>'
                     f'<text x="{left + n * 170 + 16}" y="16">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None, uri_col: int = -1) -> str:
    """A sortable table; ``numeric`` columns align right and sort as numbers."""
    numeric = numeric or set()
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cls = ' class="n"' if i in numeric else ' class="uri"' if i == uri_col else ""
            if isinstance(value, tuple):  # (display html, sort value)
                cells.append(f'<td{cls} data-v="{escape(str(value[1]))}">{value[0]}</td>')
            else:
                cells.append(f"<td{cls}>{escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table class="sortable"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _tags(values: list[str]) -> tuple[str, str]:
    return "".join(f'<span class="tag">{escape(v)}</span>' for v in values), " ".join(values)


def _group_table(groups: list[dict[str, Any]], what: str) -> str:
    rows = [[g["name"], g["items"], g["with_pi"], g["MA_PI"], g["STUDENT_PII"], g["EMPLOYEE_PII"], g["findings"],
             g["subjects"]] for g in groups]
    return table([what, "items", "with PI", "MA_PI", "STUDENT_PII", "EMPLOYEE_PII", "findings", "people"], rows,
                 numeric={1, 2, 3, 4, 5, 6, 7}, uri_col=0)


def _access(access: dict[str, Any]) -> list[str]:
    """The sections of issue 17: who can read PI, and what remediation did and has still to do."""
    return [
        '<h2 id="everyone">PI readable by everyone</h2>',
        '<p class="muted">Everyone, all authenticated or domain users, a broad group, anyone on the host, or '
        "anyone with the link.</p>",
        table(["item", "readable by", "classes", "people", "owner"],
              [[r["uri"], _tags(r["exposure"]), _tags(r["classifications"]), r["subjects"], r["owner"]]
               for r in access["readable_by_everyone"][:300]], numeric={3}, uri_col=0),
        '<h2 id="former-staff">PI reachable by former staff</h2>',
        '<p class="muted">Owned by, shared with, or in the mailbox of an account that is disabled or past its '
        "end date.</p>",
        table(["item", "departed accounts", "classes", "people", "owner"],
              [[r["uri"], _tags(r["accounts"]), _tags(r["classifications"]), r["subjects"], r["owner"]]
               for r in access["former_staff"][:300]], numeric={3}, uri_col=0),
        '<h2 id="remediation">Remediated / pending</h2>',
        f'<div class="cards"><div class="card"><b>{len(access["remediated"])}</b>actions in force</div>'
        f'<div class="card"><b>{len(access["pending"])}</b>flagged items pending</div></div>',
        table(["item", "rule", "action", "target", "run", "by", "when"],
              [[r["uri"], r["rule"], r["action"], r["target"], r["run_id"], r["by"], _date(r["at"])]
               for r in access["remediated"][:300]], numeric={4}, uri_col=0),
        table(["pending item", "rules", "classes", "people", "owner"],
              [[r["uri"], _tags(r["rules"]), _tags(r["classifications"]), r["subjects"], r["owner"]]
               for r in access["pending"][:300]], numeric={3}, uri_col=0),
    ]


def render(report: dict[str, Any], review: dict[str, int] | None = None) -> str:
    """The whole report as one HTML document."""
    t, people = report["totals"], report["people"]
    trend = report["trend"]
    cards = [("items", t["items"]), ("items with PI", t["with_pi"]), ("findings", t["findings"]),
             ("MA_PI items", t["by_classification"].get("MA_PI", 0)),
             ("student items", t["by_classification"].get("STUDENT_PII", 0)),
             ("students", people["students"]), ("staff", people["staff"]),
             ("93H residents", people["ma_pi_residents"]),
             ("exposures", len(report["exposures"])),
             ("not examined / errors", t["by_status"].get("not_examined", 0) + t["by_status"].get("error", 0)),
             ("retention review", len(report["retention"]["items"]))]
    if review:
        cards.append(("open findings (review)", review.get("open", 0)))
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No request may leave the page: a report about where PI lives must not leak by loading things.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        "<title>DLP report</title>", f"<style>{CSS}</style></head><body>",
        "<h1>Personal information in district storage</h1>",
        f'<p class="muted">Generated {_date(report["generated_at"])}. Masked previews and counts only; '
        "the store holds no values.</p>",
        '<nav><a href="#totals">Totals</a><a href="#trend">Trend</a><a href="#exposures">Exposures</a>'
        '<a href="#everyone">Readable by everyone</a>'
        '<a href="#former-staff">Former staff</a><a href="#remediation">Remediation</a>'
        '<a href="#sources">Sources</a><a href="#folders">Folders</a><a href="#owners">Owners</a>'
        '<a href="#people">People</a><a href="#coverage">Coverage</a><a href="#retention">Retention</a></nav>',
        '<h2 id="totals">Totals</h2><div class="cards">',
        *(f'<div class="card"><b>{value}</b>{escape(name)}</div>' for name, value in cards),
        "</div>",
        '<h2 id="trend">Trend across the last runs</h2>',
        line_chart([str(r["run_id"]) for r in trend],
                   {"items with findings": [float(r["with_findings"] or 0) for r in trend],
                    "examined": [float(r["examined"] or 0) for r in trend],
                    "not examined + errors": [float((r["by_status"] or {}).get("not_examined", 0)
                                                    + (r["by_status"] or {}).get("error", 0)) for r in trend]},
                   "findings per run"),
        table(["run", "status", "started", "finished", "items", "examined", "with findings", "not examined",
               "errors"],
              [[r["run_id"], r["status"], _date(r["started_at"]), _date(r["finished_at"]), r["items"],
                r["examined"], r["with_findings"], (r["by_status"] or {}).get("not_examined", 0),
                (r["by_status"] or {}).get("error", 0)] for r in reversed(trend)],
              numeric={0, 4, 5, 6, 7, 8}),
        '<h2 id="exposures">Worst exposures first</h2>',
        '<p class="muted">Public links, personal accounts, third parties without an authorization, 93H data '
        "sent unencrypted; then unencrypted MA_PI at rest.</p>",
        table(["severity", "item", "rules", "classes", "people", "owner", "shared with / sent to"],
              [[(f'<span class="sev{e["severity"]}">{e["severity"]}</span>', e["severity"]), e["uri"],
                _tags(e["rules"]), _tags(e["classifications"]), e["subjects"], e["owner"],
                _tags(e["exposure"] + [r for r in e["recipients"] if f"external:{r}" not in e["exposure"]])]
               for e in report["exposures"][:300]],
              numeric={0, 4}, uri_col=1),
        *_access(report["access"]),
        '<h2 id="sources">Where PI lives: by source</h2>',
        bar_chart([(g["name"], g["with_pi"]) for g in report["by_source"][:15]], "items with PI by source"),
        _group_table(report["by_source"], "source"),
        '<h2 id="folders">Top folders</h2>',
        bar_chart([(g["name"], g["with_pi"]) for g in report["by_folder"][:15]], "items with PI by folder",
                  PALETTE[1]),
        _group_table(report["by_folder"], "folder"),
        '<h2 id="owners">Top owners</h2>',
        bar_chart([(g["name"], g["with_pi"]) for g in report["by_owner"][:15]], "items with PI by owner",
                  PALETTE[3]),
        _group_table(report["by_owner"], "owner"),
        '<h2 id="people">Distinct people affected</h2>',
        table(["who", "distinct people"], [["students (SASID / local ID / roster / name in a table row)",
                                            people["students"]],
                                           ["staff (employee ID / MEPID / SSN / roster / name in a table row)",
                                            people["staff"]],
                                           ["93H residents (SSN, license, account or card)",
                                            people["ma_pi_residents"]]], numeric={1}),
        bar_chart(list(t["by_entity"].items())[:15], "findings by entity", PALETTE[4]),
        '<h2 id="coverage">Coverage: not examined and errors</h2>',
        bar_chart(list(report["coverage"]["by_reason"].items()), "items by reason", PALETTE[2]),
        table(["item", "status", "reason", "detail"], [[c["uri"], c["status"], c["reason"], c.get("detail") or ""]
                                                       for c in report["coverage"]["items"]], uri_col=0),
        f'<h2 id="retention">Retention: student records older than {report["retention"]["years"]} years</h2>',
        '<p class="muted">603 CMR 23.06: temporary records are destroyed within 7 years after the student '
        "leaves; transcripts are kept 60 years. Flagged for destruction review by a person; the scanner "
        "deletes nothing.</p>",
        table(["item", "modified", "age (years)", "classes", "people", "owner"],
              [[r["uri"], _date(r["modified"]), r["age_years"], _tags(r["classifications"]), r["subjects"],
                r["owner"]] for r in report["retention"]["items"]], numeric={2, 4}, uri_col=0),
        f"<script>{JS}</script></body></html>",
    ]
    return "\n".join(out) + "\n"
