#!/usr/bin/env python3
"""render.py: the noa report as one self-contained HTML file.

Reads the JSON document printed by report/data.sql (noa's own rows) on stdin
and writes HTML with inline SVG charts, inline CSS and one inline script (the
rendering self-check of report/selfcheck.js) to the file named by its only
argument.  No network, no external scripts or fonts.  Python 3 standard
library only.
"""
import datetime
import html
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Colours of the markers, used in the charts and their legends alike.
C_NOW, C_BREAKEVEN, C_RECOMMENDED = "#334155", "#d97706", "#059669"
C_CURVE, C_BAND, C_OBSERVED, C_CUT = "#2563eb", "#bfdbfe", "#f1f5f9", "#dc2626"


def esc(value):
    """Text for HTML and SVG, escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def number(value, decimals=0):
    """A number with thousands separators, '–' when missing."""
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}"


def money(value, currency, decimals=0):
    """An amount of money for people: '12,345 EUR'."""
    if value is None:
        return "–"
    return f"{number(value, decimals)} {currency}".strip()


def in_unit(label, currency, per_day=False):
    """An axis title with its money unit: 'spend (EUR/day)'; no unit when currencies are mixed."""
    unit = (currency or "") + ("/day" if per_day and currency else "")
    return f"{label} ({unit})" if unit else label


def plural(count, noun):
    """'1 error', '2 errors'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def compact(value):
    """A short axis label: 950, 1.2k, 35k, 1.5M."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    if magnitude == 0 or magnitude >= 1:
        return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"
    return f"{value:.2g}"


def nice_step(span, max_steps):
    """The smallest step of 1, 2 or 5 times a power of ten covering span in max_steps."""
    if span <= 0:
        return 1.0
    raw = span / max_steps
    power = 10 ** math.floor(math.log10(raw))
    for mantissa in (1, 2, 5, 10):
        if mantissa * power >= raw * (1 - 1e-12):
            return mantissa * power
    return 10 * power


def ticks(top, max_steps=4, within=False):
    """Round axis ticks from 0: up to the first one at or above top, or (within) none above it."""
    step = nice_step(top, max_steps)
    count = max(1, math.floor(top / step + 1e-9) if within else math.ceil(top / step - 1e-9))
    return [round(i * step, 10) for i in range(count + 1)]


class Scale:
    """A linear map from data values to pixels."""

    def __init__(self, lo, hi, px_lo, px_hi):
        self.lo, self.hi, self.px_lo, self.px_hi = lo, hi, px_lo, px_hi

    def __call__(self, value):
        span = self.hi - self.lo or 1.0
        return self.px_lo + (value - self.lo) / span * (self.px_hi - self.px_lo)


def svg_open(width, height, label):
    return (f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">')


def text(x, y, content, anchor="start", cls="", extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
            f'{" class=" + chr(34) + cls + chr(34) if cls else ""}{extra}>{esc(content)}</text>')


def vline(x, y0, y1, colour, dash=False, width=1.5):
    dash_attr = ' stroke-dasharray="4 3"' if dash else ""
    return (f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"{dash_attr}/>')


def axes(xs, ys, xticks, yticks, xlabel, ylabel):
    """Grid lines, tick labels and axis titles of an x/y chart."""
    out = []
    for t in yticks:
        y = ys(t)
        out.append(f'<line x1="{xs.px_lo:.1f}" y1="{y:.1f}" x2="{xs.px_hi:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(text(xs.px_lo - 4, y + 3.5, compact(t), "end", "tick"))
    for t in xticks:
        x = xs(t)
        out.append(f'<line x1="{x:.1f}" y1="{ys.px_lo:.1f}" x2="{x:.1f}" y2="{ys.px_lo + 4:.1f}" class="axis"/>')
        out.append(text(x, ys.px_lo + 14, compact(t), "middle", "tick"))
    out.append(f'<line x1="{xs.px_lo:.1f}" y1="{ys.px_lo:.1f}" x2="{xs.px_hi:.1f}" y2="{ys.px_lo:.1f}" class="axis"/>')
    out.append(text((xs.px_lo + xs.px_hi) / 2, ys.px_lo + 28, xlabel, "middle", "axis-title"))
    mid = (ys.px_lo + ys.px_hi) / 2
    out.append(f'<text x="11" y="{mid:.1f}" text-anchor="middle" class="axis-title" '
               f'transform="rotate(-90 11 {mid:.1f})">{esc(ylabel)}</text>')
    return out


def kpi_unit(campaign):
    """What the curve's y axis measures, per day."""
    if campaign["valued"]:
        return in_unit("value per day", campaign["currency"])
    return f"{campaign['kpi']} per day"


def curve_panel(campaign):
    """One campaign: response curve, interval band, observed range and markers."""
    cur = campaign["currency"] or ""
    points = campaign["points"] or []
    width, height = 270, 190
    left, right, top, bottom = 46, 10, 8, 36
    title = f"{campaign['campaign_id']}"
    sub = " · ".join(x for x in (campaign["platform"], campaign["geo"], campaign["role"]) if x)
    head = (f'<div class="panel"><div class="panel-title">{esc(title)}</div>'
            f'<div class="panel-sub">{esc(sub)}</div>')
    if not points:
        reason = {"not_identifiable": "the data do not pin down a curve (spend barely varies or the curve never bends)",
                  "insufficient_data": "too few distinct spend levels"}.get(campaign["status"], campaign["status"])
        return (head + f'<div class="no-curve">No usable curve: {esc(reason)}. Spend now '
                f'{esc(money(campaign["current_spend"], cur))} a day.</div></div>')
    value = campaign["value_per_unit"] if campaign["valued"] else 1.0
    xmax = points[-1][0]
    ymax_data = max(p[3] for p in points) * value
    yticks = ticks(ymax_data or 1.0)
    xticks = ticks(xmax, within=True)  # the grid of noa.curve_points already ends on a round value
    xs = Scale(0, xmax, left, width - right)
    ys = Scale(0, yticks[-1], height - bottom, top)
    out = [svg_open(width, height, f"response curve of {campaign['campaign_id']}")]
    lo, hi = campaign["observed_min"], campaign["observed_max"]
    if lo is not None and hi is not None:
        out.append(f'<rect x="{xs(lo):.1f}" y="{top}" width="{max(xs(hi) - xs(lo), 0):.1f}" '
                   f'height="{height - bottom - top}" fill="{C_OBSERVED}"/>')
    out += axes(xs, ys, xticks, yticks, in_unit("spend per day", cur), kpi_unit(campaign))
    band = [(xs(p[0]), ys(p[3] * value)) for p in points] + [(xs(p[0]), ys(p[2] * value)) for p in reversed(points)]
    out.append('<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in band) + f'" fill="{C_BAND}" opacity="0.8"/>')
    out.append('<polyline points="' + " ".join(f"{xs(p[0]):.1f},{ys(p[1] * value):.1f}" for p in points)
               + f'" fill="none" stroke="{C_CURVE}" stroke-width="2"/>')
    y0, y1 = height - bottom, top
    be = campaign["breakeven_spend"]
    if be is not None and 0 < be <= xmax:
        out.append(vline(xs(be), y0, y1, C_BREAKEVEN, dash=True))
    if campaign["in_plan"]:
        out.append(vline(xs(campaign["recommended_spend"]), y0, y1, C_RECOMMENDED, width=2))
    out.append(vline(xs(campaign["current_spend"]), y0, y1, C_NOW, width=2))
    out.append("</svg>")
    facts = [f"now {money(campaign['current_spend'], cur)}/day"]
    if campaign["in_plan"]:
        facts.append(f"plan {money(campaign['recommended_spend'], cur)}")
    if campaign["valued"] and campaign["mroas_now"] is not None:
        facts.append(f"mROAS {number(campaign['mroas_now'], 2)} ({number(campaign['mroas_lo'], 2)}–"
                     f"{number(campaign['mroas_hi'], 2)})")
    if be is not None:
        facts.append(f"break-even {money(be, cur)}")
    return head + "".join(out) + f'<div class="panel-facts">{esc(" · ".join(facts))}</div></div>'


def dumbbell(campaigns, currency):
    """Spend per day now and after the plan, one row per campaign, largest change first."""
    rows = sorted((c for c in campaigns if c["in_plan"]),
                  key=lambda c: (-(c["recommended_spend"] - c["current_spend"]), c["campaign_id"]))
    if not rows:
        return '<p class="empty">The plan moves no money.</p>'
    row_h, top, label_w, right = 20, 30, 150, 140
    width = 1100
    height = top + row_h * len(rows) + 34
    xmax = max(max(c["current_spend"], c["recommended_spend"]) for c in rows)
    xticks = ticks(xmax, 8)
    xs = Scale(0, xticks[-1], label_w, width - right)
    out = [svg_open(width, height, "spend per day before and after the plan")]
    bottom = top + row_h * len(rows)
    for t in xticks:
        out.append(f'<line x1="{xs(t):.1f}" y1="{top - 6}" x2="{xs(t):.1f}" y2="{bottom}" class="grid"/>')
        out.append(text(xs(t), top - 10, compact(t), "middle", "tick"))
    for i, c in enumerate(rows):
        y = top + row_h * i + row_h / 2
        now, after = c["current_spend"], c["recommended_spend"]
        colour = C_RECOMMENDED if after >= now else C_CUT
        out.append(text(label_w - 8, y + 4, c["campaign_id"], "end", "label"))
        out.append(f'<line x1="{xs(now):.1f}" y1="{y:.1f}" x2="{xs(after):.1f}" y2="{y:.1f}" stroke="{colour}" '
                   f'stroke-width="3" opacity="0.6"/>')
        out.append(f'<circle cx="{xs(now):.1f}" cy="{y:.1f}" r="4.5" fill="{C_NOW}"/>')
        out.append(f'<circle cx="{xs(after):.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>')
        delta = after - now
        out.append(text(width - 8, y + 4, f"{'+' if delta >= 0 else '−'}{number(abs(delta))}", "end", "label"))
    out.append(text((label_w + width - right) / 2, bottom + 24, in_unit("spend per day", currency), "middle", "axis-title"))
    out.append(text(width - 8, top - 10, in_unit("change", currency, per_day=True), "end", "tick"))
    out.append("</svg>")
    return "".join(out)


def waste_bars(waste, currency):
    """Value lost per finding over the window, with its interval as a whisker."""
    rows = sorted(waste, key=lambda w: (-(w["value_lost"] or 0), w["campaign_id"] or "", w["geo"] or ""))
    row_h, top, label_w, right = 22, 24, 300, 20
    width = 1100
    height = top + row_h * len(rows) + 36
    xmax = max((w["value_lost_hi"] or w["value_lost"] or 0) for w in rows) or 1.0
    xticks = ticks(xmax, 8)
    xs = Scale(0, xticks[-1], label_w, width - right)
    bottom = top + row_h * len(rows)
    out = [svg_open(width, height, "value lost per waste finding")]
    for t in xticks:
        out.append(f'<line x1="{xs(t):.1f}" y1="{top - 4}" x2="{xs(t):.1f}" y2="{bottom}" class="grid"/>')
        out.append(text(xs(t), top - 8, compact(t), "middle", "tick"))
    for i, w in enumerate(rows):
        y = top + row_h * i
        who = w["campaign_id"] or f"all of {w['geo']}"
        out.append(text(label_w - 8, y + 15, f"{who} · {w['waste_type'].replace('_', ' ')}", "end", "label"))
        lost = w["value_lost"] or 0
        colour = C_CUT if w["waste_type"] == "no_incremental_value" else C_BREAKEVEN
        out.append(f'<rect x="{xs(0):.1f}" y="{y + 4}" width="{max(xs(lost) - xs(0), 0.5):.1f}" height="{row_h - 8}" '
                   f'fill="{colour}" opacity="0.75"/>')
        if w["value_lost_lo"] is not None and w["value_lost_hi"] is not None:
            yy = y + row_h / 2
            out.append(f'<line x1="{xs(w["value_lost_lo"]):.1f}" y1="{yy}" x2="{xs(w["value_lost_hi"]):.1f}" '
                       f'y2="{yy}" stroke="#111827" stroke-width="1"/>')
    out.append(text((label_w + width - right) / 2, bottom + 26,
                    in_unit("value lost over the window", currency) + ", with its 90% interval", "middle", "axis-title"))
    out.append("</svg>")
    return "".join(out)


def table(headers, rows, classes, widths):
    """An HTML table; classes name each column's style (num, text), widths its width in px (None: the rest)."""
    out = ["<table><colgroup>"]
    out += [f'<col style="width:{w}px">' if w else "<col>" for w in widths]
    out.append("</colgroup><thead><tr>")
    out += [f'<th class="{c}">{esc(h)}</th>' for h, c in zip(headers, classes)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{c}">{cell}</td>' for cell, c in zip(row, classes)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def chip(label, kind):
    return f'<span class="chip {esc(kind)}">{esc(label)}</span>'


def alarms_section(alarms, currency):
    if not alarms:
        return '<p class="empty">No data alarm: every check passed.</p>'
    rows = [[chip(a["severity"], a["severity"]), esc(a["check_name"].replace("_", " ")),
             esc(a["campaign_id"] or a["platform"] or "whole table"),
             esc(f"{a['first_day'] or ''} – {a['last_day'] or ''}"), esc(number(a["rows_affected"])),
             esc(money(a["spend_affected"], a["currency"] or currency)), esc(a["explanation"])] for a in alarms]
    return table(["severity", "check", "where", "period", "rows", "spend affected", "what to do"], rows,
                 ["text", "text", "text", "text", "num", "num", "text"], [74, 150, 100, 100, 56, 110, None])


def plan_section(plan, currency):
    if not plan:
        return '<p class="empty">No action.</p>'
    rows = []
    for p in plan:
        what = p["campaign_id"] or f"{p['from_campaign']} → {p['to_campaign']}"
        effect = money(p["expected_effect"], p["currency"] or currency)
        if p["expected_effect_lo"] is not None:
            effect += f" ({number(p['expected_effect_lo'])} to {number(p['expected_effect_hi'])})"
        rows.append([esc(p["rank"]), chip(p["action"].replace("_", " "), p["action"]), esc(what),
                     esc(money(p["amount"], p["currency"] or currency)), esc(effect), esc(p["confidence"]),
                     esc(p["explanation"])])
    return table(["#", "action", "campaign", "amount", "effect (90% interval)", "confidence", "why"], rows,
                 ["num", "text", "text", "num", "num", "text", "text"], [34, 104, 160, 100, 150, 92, None])


PALETTE = ["#94a3b8", "#cbd5e1", "#2563eb", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d",
           "#ea580c", "#4f46e5", "#0d9488"]


def weekly_means(rows):
    """Rows (day, component, value) averaged per week, dated by the week's Monday."""
    sums, counts = {}, {}
    for r in rows:
        day = datetime.date.fromisoformat(r["day"])
        key = ((day - datetime.timedelta(days=day.weekday())).isoformat(), r["component"])
        sums[key] = sums.get(key, 0.0) + (r["value"] or 0.0)
        counts[key] = counts.get(key, 0) + 1
    return [{"day": d, "component": c, "value": sums[(d, c)] / counts[(d, c)]} for d, c in sums]


def stacked_area(rows, unit):
    """The KPI per day split into its components, stacked; negative parts stack below zero.
    Beyond 20 weeks the days are averaged per week, so weekly seasonality does not hide the rest."""
    period = "day"
    if len({r["day"] for r in rows}) > 140:
        rows, unit, period = weekly_means(rows), unit + ", weekly average", "week (Monday)"
    days = sorted({r["day"] for r in rows})
    components = []
    for r in rows:
        if r["component"] not in components:
            components.append(r["component"])
    value = {(r["day"], r["component"]): r["value"] or 0.0 for r in rows}
    width, height, left, right, top, bottom = 1100, 320, 64, 170, 12, 40
    pos = {d: 0.0 for d in days}
    neg = {d: 0.0 for d in days}
    # A component's positive part stacks up, its negative part down: a layer
    # never jumps across zero when its sign changes.
    layers = []
    for i, comp in enumerate(components):
        for base, part in ((pos, lambda v: max(v, 0.0)), (neg, lambda v: min(v, 0.0))):
            lower, upper = [], []
            for d in days:
                lower.append(base[d])
                base[d] += part(value.get((d, comp), 0.0))
                upper.append(base[d])
            if lower != upper:
                layers.append((i, lower, upper))
    ymax = max(pos.values()) or 1.0
    ymin = min(neg.values())
    yticks = ticks(ymax, 5)
    step = yticks[1] - yticks[0]
    below = [-step * i for i in range(1, math.ceil(-ymin / step - 1e-9) + 1)] if ymin < 0 else []
    xs = Scale(0, max(len(days) - 1, 1), left, width - right)
    ys = Scale(below[-1] if below else 0, yticks[-1], height - bottom, top)
    out = [svg_open(width, height, "decomposition of the KPI per day")]
    for t in list(reversed(below)) + yticks:
        out.append(f'<line x1="{left}" y1="{ys(t):.1f}" x2="{width - right}" y2="{ys(t):.1f}" class="grid"/>')
        out.append(text(left - 4, ys(t) + 3.5, compact(t), "end", "tick"))
    for i, lower, upper in layers:
        shape = [(xs(j), ys(u)) for j, u in enumerate(upper)] + \
                [(xs(j), ys(lo)) for j, lo in reversed(list(enumerate(lower)))]
        out.append('<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in shape) +
                   f'" fill="{PALETTE[i % len(PALETTE)]}" opacity="0.85"/>')
    for i, comp in enumerate(components):
        out.append(f'<rect x="{width - right + 12}" y="{top + 16 * i}" width="10" height="10" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(text(width - right + 28, top + 16 * i + 9, comp, "start", "label"))
    labels = max(1, len(days) // 6)
    for j in range(0, len(days), labels):
        out.append(text(xs(j), height - bottom + 14, days[j], "start" if j == 0 else "middle", "tick"))
    out.append(text((left + width - right) / 2, height - 8, period, "middle", "axis-title"))
    mid = (top + height - bottom) / 2
    out.append(f'<text x="12" y="{mid:.1f}" text-anchor="middle" class="axis-title" '
               f'transform="rotate(-90 12 {mid:.1f})">{esc(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def incrementality_bars(channels):
    """Incremental value per unit of platform-reported value, per channel, with its interval."""
    row_h, top, label_w, right = 26, 24, 180, 70
    width = 1100
    height = top + row_h * len(channels) + 38
    # Wide intervals are cut at three times the largest factor, their end written beside the axis.
    largest = max(c["factor"] or 0 for c in channels)
    xmax = max(min(max(c["factor_hi"] or 0 for c in channels), 3 * largest), largest, 1.0)
    xticks = ticks(xmax, 8)
    xs = Scale(0, xticks[-1], label_w, width - right)
    bottom = top + row_h * len(channels)
    out = [svg_open(width, height, "incrementality factor per platform")]
    for t in xticks:
        out.append(f'<line x1="{xs(t):.1f}" y1="{top - 4}" x2="{xs(t):.1f}" y2="{bottom}" class="grid"/>')
        out.append(text(xs(t), top - 8, f"{t:g}", "middle", "tick"))
    for i, c in enumerate(channels):
        y = top + row_h * i
        out.append(text(label_w - 8, y + 17, c["channel"], "end", "label"))
        factor = c["factor"] or 0.0
        out.append(f'<rect x="{xs(0):.1f}" y="{y + 5}" width="{max(xs(factor) - xs(0), 0.5):.1f}" '
                   f'height="{row_h - 10}" fill="{C_CURVE}" opacity="0.75"/>')
        if c["factor_lo"] is not None and c["factor_hi"] is not None:
            yy = y + row_h / 2
            hi = min(c["factor_hi"], xticks[-1])
            out.append(f'<line x1="{xs(c["factor_lo"]):.1f}" y1="{yy}" x2="{xs(hi):.1f}" y2="{yy}" '
                       f'stroke="#111827" stroke-width="1.2"/>')
            if c["factor_hi"] > xticks[-1]:
                out.append(text(width - right + 6, yy + 4, f"→ {number(c['factor_hi'], 1)}", "start", "tick"))
    out.append(vline(xs(1.0), top - 4, bottom, C_BREAKEVEN, dash=True))
    out.append(text((label_w + width - right) / 2, bottom + 26,
                    "incremental per unit the platform reports (1 = the platform's count is right)",
                    "middle", "axis-title"))
    out.append("</svg>")
    return "".join(out)


def actions_cell(actions, experiment=None, test_days=None):
    """The actions of one campaign in one plan, as chips, with the experiment a test asks for."""
    if not actions:
        return '<span class="empty">no action</span>'
    cell = " ".join(chip(a.replace("_", " "), a) for a in actions.split(", "))
    if experiment:
        length = f", {test_days} days" if test_days is not None else ""
        cell += f'<div class="cell-note">{esc(experiment.replace("_", " ") + length)}</div>'
    return cell


def plan_changes_section(model, currency):
    """The campaigns whose action changes when the plan is valued on incremental value, and the totals."""
    changes = model.get("plan_changes") or []
    out = ["<h3>The action plan on incremental value</h3><p>The action plan of section 5 valued on what the shop gains (<code>noa.recommendations(..., "
           "incrementality =&gt; the models, incrementality_by =&gt; 'platform')</code>): each campaign's curve "
           "rescaled by its platform's factor, with the factor's interval carried into every interval. "
           "The campaigns whose action, or the experiment it asks for, changes:</p>"]
    if not changes:
        out.append('<p class="empty">No campaign\'s action changes on incremental value.</p>')
    else:
        rows = []
        for c in changes:
            factor = "–" if c["factor"] is None else (
                f"{number(c['factor'], 2)} ({number(c['factor_lo'], 2)} to {number(c['factor_hi'], 2)})")
            rows.append([esc(c["campaign_id"]),
                         actions_cell(c["on_platform_reports"], c["platform_experiment"], c["platform_test_days"]),
                         actions_cell(c["on_incremental_value"]), esc(factor),
                         esc((c["experiment"] or "–").replace("_", " ")),
                         esc("–" if c["test_days"] is None else f"{c['test_days']} days")])
        out.append('<div id="plan-changes">')
        out.append(table(["campaign", "on platform reports", "on incremental value", "factor (90% interval)",
                          "experiment noa proposes", "length"], rows,
                         ["text", "text", "text", "num", "text", "num"], [110, 200, 150, 170, None, 80]))
        out.append("</div>")
    totals = model.get("plan_incremental_totals") or []
    if totals:
        by_action = {}
        for t in totals:
            by_action.setdefault(t["action"], {})[t["valued_on"]] = t
        rows = []
        for action in sorted(by_action):
            cells = [chip(action.replace("_", " "), action)]
            for side in ("platform", "incremental"):
                t = by_action[action].get(side)
                cells += [esc(number(t["rows"])) if t else "–", esc(money(t["amount"], currency)) if t else "–",
                          esc(money(t["effect"], currency)) if t else "–"]
            rows.append(cells)
        out.append("<p>The whole plan by action, over the window: rows, amount and effect, valued on platform "
                   "reports and on incremental value.</p>")
        out.append(table(["action", "rows (platform)", "amount", "effect", "rows (incremental)", "amount", "effect"],
                         rows, ["text", "num", "num", "num", "num", "num", "num"], [120, None, None, None, None, None, None]))
    return '<div id="incremental-plan">' + "".join(out) + "</div>"


def backtest_panel(geo_backtest, kpi):
    """One model's backtest: the forecast of the last 28 days with its 90% band, and what happened."""
    geo = geo_backtest["geo"] or "all"
    head = f'<div class="panel"><div class="panel-title">{esc(geo)}</div>'
    days = geo_backtest.get("days") or []
    values = [v for d in days for v in d[1:] if v is not None]
    if geo_backtest.get("problem") or not values:
        return head + f'<div class="no-curve">No backtest: {esc(geo_backtest.get("problem") or "no days")}</div></div>'
    width, height = 270, 170
    left, right, top, bottom = 46, 10, 8, 36
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.1 or 1.0
    step = nice_step(hi - lo + 2 * pad, 4)
    ylo, yhi = math.floor((lo - pad) / step) * step, math.ceil((hi + pad) / step) * step
    yticks = [round(ylo + i * step, 10) for i in range(int(round((yhi - ylo) / step)) + 1)]
    xs = Scale(0, len(days) - 1, left, width - right)
    ys = Scale(ylo, yhi, height - bottom, top)
    out = [svg_open(width, height, f"backtest of {geo}: forecast and actual {kpi}")]
    for t in yticks:
        out.append(f'<line x1="{left}" y1="{ys(t):.1f}" x2="{width - right}" y2="{ys(t):.1f}" class="grid"/>')
        out.append(text(left - 4, ys(t) + 3.5, compact(t), "end", "tick"))
    band = [(xs(i), ys(d[3])) for i, d in enumerate(days) if d[3] is not None] + \
           [(xs(i), ys(d[2])) for i, d in reversed(list(enumerate(days))) if d[2] is not None]
    if band:
        out.append('<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in band) +
                   f'" fill="{C_BAND}" opacity="0.8"/>')
    out.append('<polyline points="' + " ".join(f"{xs(i):.1f},{ys(d[1]):.1f}" for i, d in enumerate(days)
                                               if d[1] is not None) +
               f'" fill="none" stroke="{C_CURVE}" stroke-width="2"/>')
    for i, d in enumerate(days):
        if d[4] is not None:
            inside = d[2] is not None and d[3] is not None and d[2] <= d[4] <= d[3]
            out.append(f'<circle cx="{xs(i):.1f}" cy="{ys(d[4]):.1f}" r="2.2" fill="{C_NOW if inside else C_CUT}"/>')
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" class="axis"/>')
    for i in (0, len(days) - 1):
        out.append(text(xs(i), height - bottom + 14, days[i][0][5:], "start" if i == 0 else "end", "tick"))
    out.append(text((left + width - right) / 2, height - 8, "day", "middle", "axis-title"))
    mid = (top + height - bottom) / 2
    out.append(f'<text x="11" y="{mid:.1f}" text-anchor="middle" class="axis-title" '
               f'transform="rotate(-90 11 {mid:.1f})">{esc(kpi)} per day</text>')
    out.append("</svg>")
    facts = []
    if geo_backtest.get("coverage") is not None:
        facts.append(f"coverage {number(100 * geo_backtest['coverage'])}% of {len(days)} days")
    if geo_backtest.get("abs_pct_error") is not None:
        facts.append(f"daily error {number(100 * geo_backtest['abs_pct_error'], 1)}%")
    if geo_backtest.get("predicted") is not None and geo_backtest.get("actual") is not None:
        facts.append(f"28 days: {number(geo_backtest['predicted'])} forecast, {number(geo_backtest['actual'])} actual")
    return head + "".join(out) + f'<div class="panel-facts">{esc(" · ".join(facts))}</div></div>'


def backtest_section(model, as_of):
    """Forecast against actual of the last 28 days, one panel per model, with the coverage."""
    backtest = model.get("backtest") or []
    if not backtest:
        return ""
    days = sum(len(b.get("days") or []) for b in backtest)
    covered = sum(round((b.get("coverage") or 0) * len(b.get("days") or [])) for b in backtest)
    summary = (f" Over all {days} days: {number(100 * covered / days)}% inside the interval (a 90% interval "
               "should cover about 90%)." if days else "")
    def swatch(colour, label):
        return (f'<span class="key"><span class="swatch" style="border-left:3px solid {colour}"></span>'
                f'{esc(label)}</span>')
    return ('<div id="backtest"><h3>Track record: the last 28 days forecast</h3><p>Track record (<code>noa.kpi_model_backtest</code>): each model refitted on the '
            f"data up to 28 days before {esc(as_of)} forecasts those days from the "
            f"spend that was actually made: the line and its 90% band, the dots what happened (red outside the "
            f"band).{esc(summary)}</p>"
            '<div class="legend">' + swatch(C_CURVE, "forecast") +
            f'<span class="key"><span class="box" style="background:{C_BAND}"></span>90% interval</span>'
            + swatch(C_NOW, "actual, inside") + swatch(C_CUT, "actual, outside") + "</div>"
            '<div class="grid-panels">' + "".join(backtest_panel(b, model["kpi"]) for b in backtest) + "</div></div>")


def kpi_model_section(model, currency, as_of):
    """Section 6, from noa's KPI models: the business KPI's decomposition, each platform's
    incrementality factor, the plan on incremental value and the backtest.

    model is None unless report/data.sql found the KPI model's functions in the
    catalog and a business table was given; its rows are those of
    report/kpi_model.sql, in the KPI's own units."""
    if not model:
        return ""
    parts = ['<section id="kpi-model"><h2>6. Incrementality: what the shop really gains</h2>'
             "<h3>Where the orders come from</h3>"
             f"<p>The business KPI ({esc(model['kpi'])}) per day, split by noa's KPI model "
             "(<code>noa.kpi_model_decomposition</code>) into its baseline, seasonality and the effect of each "
             "platform.</p>"]
    if model.get("decomposition"):
        parts.append(stacked_area(model["decomposition"], f"{model['kpi']} per day"))
    if model.get("channels"):
        parts.append(f'<div id="incrementality"><h3>Incrementality per platform</h3><p>Incrementality per platform (<code>noa.incrementality_by</code>): '
                     f"the {esc(model['kpi'])} each platform really adds for each conversion it reports, pooled "
                     "over its campaigns, with the 90% interval (conservative).</p>")
        parts.append(incrementality_bars(model["channels"]))
        rows = [[esc(c["channel"]), esc(number(c["reported"])), esc(number(c["incremental"])),
                 esc(f"{number(c['factor'], 2)} ({number(c['factor_lo'], 2)} to {number(c['factor_hi'], 2)})")]
                for c in model["channels"]]
        parts.append(table(["platform", "conversions reported by the platform",
                            f"incremental ({model['kpi']})", "factor (90% interval)"],
                           rows, ["text", "num", "num", "num"], [None, 240, 200, 240]) + "</div>")
    if "plan_changes" in model:
        parts.append(plan_changes_section(model, currency))
    parts.append(backtest_section(model, as_of))
    return "".join(parts) + "</section>"


def cards(data, currency):
    overview = data["overview"]
    plan = data["plan"] or []
    alarms = data["alarms"] or []
    moves = sum(p["expected_effect"] or 0 for p in plan if p["action"] == "shift_budget")
    avoided = sum(p["expected_effect"] or 0 for p in plan if p["action"] in ("cut", "cap_spend"))
    errors = sum(1 for a in alarms if a["severity"] == "error")
    warnings = sum(1 for a in alarms if a["severity"] == "warning")
    items = [("spend per day now", money(overview["spend_per_day"], currency),
              f"{overview['campaigns']} campaigns on {overview['platforms']} platforms"),
             ("after the plan", money(overview["recommended_per_day"], currency), "per day, cuts and caps included"),
             ("loss avoided by cuts and caps", money(avoided, currency), "over the window"),
             ("value gained by moves", money(moves, currency), "same spend, over the window"),
             ("data alarms", plural(errors, "error"), f"and {plural(warnings, 'warning')}: fix errors before acting")]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="card-label">{esc(a)}</div><div class="card-value">{esc(b)}</div>'
        f'<div class="card-note">{esc(c)}</div></div>' for a, b, c in items) + "</div>"


def legend():
    def swatch(colour, label, dash=False):
        style = f"border-left:3px {'dashed' if dash else 'solid'} {colour}"
        return f'<span class="key"><span class="swatch" style="{style}"></span>{esc(label)}</span>'
    return ('<div class="legend">' + swatch(C_CURVE, "fitted curve") +
            f'<span class="key"><span class="box" style="background:{C_BAND}"></span>90% interval</span>'
            f'<span class="key"><span class="box" style="background:{C_OBSERVED};border:1px solid #cbd5e1"></span>'
            'spend range observed</span>' + swatch(C_NOW, "current spend (last 28 days)") +
            swatch(C_BREAKEVEN, "break-even: the next euro returns one euro", dash=True) +
            swatch(C_RECOMMENDED, "spend after the plan") + "</div>")


def render(data):
    currency = data["overview"]["currency"] or ""
    campaigns = data["campaigns"] or []
    selfcheck = open(os.path.join(HERE, "selfcheck.js"), encoding="utf-8").read()
    css = open(os.path.join(HERE, "report.css"), encoding="utf-8").read()
    body = [
        f'<header><h1>noa report: {esc(data["source"])}</h1>'
        f'<p class="meta">Data up to {esc(data["as_of"])}'
        f'{" · shop orders from " + esc(data["business"]) if data["business"] else ""} · '
        f'money in {esc(currency or "each campaign’s currency")}, per day unless stated · {esc(data["generated_by"])}</p>'
        "</header>",
        cards(data, currency),
        '<section id="curves"><h2>1. Response curves: what each campaign returns per day of spend</h2>'
        "<p>Each panel is noa's fitted curve (<code>noa.curve_points</code>) on the KPI of the campaign's role "
        "(conversion value for conversion and consideration campaigns, reach for awareness), "
        "with its 90% interval. Trust it inside the shaded spend range the data cover.</p>",
        legend(),
        '<div class="grid-panels">' + "".join(curve_panel(c) for c in campaigns) + "</div></section>",
        '<section id="alarms"><h2>2. Data alarms: fix these before acting</h2>'
        "<p><code>noa.data_quality</code>: errors mean the numbers are wrong (noa gives no budget advice on "
        "those campaigns); warnings mean they are suspect.</p>" + alarms_section(data["alarms"], currency) + "</section>",
        '<section id="waste"><h2>3. Waste: spend that does not pay</h2>'
        "<p><code>noa.waste</code>: red, no measurable effect; amber, spend past break-even or saturation. "
        "Country rows (all of a country) overlap the campaigns in it.</p>"
        + (waste_bars(data["waste"], currency) if data["waste"] else '<p class="empty">No waste found.</p>')
        + "</section>",
        '<section id="allocation"><h2>4. Allocation: spend per day now and after the plan</h2>'
        "<p>Every campaign the plan touches: dark dot, spend now; coloured dot, spend after the cuts, caps, moves "
        "and tests of section 5 (green up, red down).</p>" + dumbbell(campaigns, currency) + "</section>",
        '<section id="plan"><h2>5. Action plan, in order</h2>'
        "<p><code>noa.recommendations</code>: amounts over the window; effect = value gained or loss avoided "
        "beyond a return of one euro per euro, with its 90% interval.</p>" + plan_section(data["plan"], currency)
        + "</section>",
        kpi_model_section(data.get("kpi_model"), currency, data["as_of"]),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>noa report: {esc(data['source'])}</title><style>{css}</style>"
            "<script>window.noaErrors=[];addEventListener('error',function(e){noaErrors.push(String(e.message))});"
            "addEventListener('securitypolicyviolation',function(e){noaErrors.push('blocked '+e.blockedURI)});"
            "</script></head><body>" + "\n".join(body)
            + "<footer>Everything above comes from the rows of noa's SQL functions on "
            + f"{esc(data['source'])} (gathered by report/data.sql, drawn by report/render.py); amounts are "
            + "rounded for reading, the functions give cents. Re-run: scripts/report.sh.</footer>"
            + '<pre id="noa-selfcheck" hidden></pre>'
            + f"<script>{selfcheck}</script></body></html>\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: render.py OUTPUT.html < report.json")
    data = json.load(sys.stdin)
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write(render(data))


if __name__ == "__main__":
    main()
