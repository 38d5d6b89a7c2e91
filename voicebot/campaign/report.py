"""Campaign reports: one row per contact, score distributions, as CSV, JSON or self-contained HTML.

Confirmation items are the dialogue's yes/no slots (sales compliance: each item answered yes or
not, plus ``flagged_items``); scores are its integer slots with a range (surveys: a distribution,
drawn as an inline SVG bar chart in HTML, no external assets).
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from typing import Any

from voicebot.campaign.state import Campaign, CampaignStore, ContactState, Progress
from voicebot.dialogue.model import Dialogue
from voicebot.errors import CampaignError

FORMATS = ("csv", "json", "html")


@dataclass(frozen=True, slots=True)
class Scale:
    slot: str
    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class Report:
    campaign: Campaign
    progress: Progress
    rows: list[dict[str, Any]]
    items: list[str]  # yes/no confirmation slots, in dialogue order
    scales: list[Scale]
    distributions: dict[str, dict[int, int]]  # slot -> value -> contacts

    def to_json(self) -> dict[str, Any]:
        return {"campaign": {"id": self.campaign.id, "name": self.campaign.name,
                             "status": self.campaign.status, "created_at": self.campaign.created_at,
                             "settings": self.campaign.settings.to_json()},
                "progress": self.progress.to_json(), "items": self.items,
                "distributions": {slot: {str(v): n for v, n in counts.items()}
                                  for slot, counts in self.distributions.items()},
                "contacts": self.rows}


def dialogue_layout(dialogue: Dialogue) -> tuple[list[str], list[Scale]]:
    """Yes/no items and integer scales of a loaded dialogue (``voicebot.dialogue.model.Dialogue``)."""
    items: list[str] = []
    scales: list[Scale] = []
    for name, spec in dialogue.slots.items():
        if spec.type == "yes_no" and name != "consent":
            items.append(name)
        elif spec.type == "integer" and spec.minimum is not None and spec.maximum is not None:
            scales.append(Scale(name, int(spec.minimum), int(spec.maximum)))
    return items, scales


def build_report(store: CampaignStore, campaign_id: str, *, dialogue: Dialogue | None = None,
                 base_url: str = "") -> Report:
    """Gather the report. Without the dialogue, items and scales are guessed from the slot values."""
    campaign = store.get(campaign_id)
    contacts = store.contacts(campaign_id)
    if dialogue is not None:
        items, scales = dialogue_layout(dialogue)
    else:
        items, scales = _guess_layout(contacts)
    rows = [_row(contact, items, scales, base_url) for contact in contacts]
    distributions: dict[str, dict[int, int]] = {}
    for scale in scales:
        counts = dict.fromkeys(range(scale.minimum, scale.maximum + 1), 0)
        for row in rows:
            value = row.get(scale.slot)
            if isinstance(value, int) and value in counts:
                counts[value] += 1
        distributions[scale.slot] = counts
    return Report(campaign, store.progress(campaign_id), rows, items, scales, distributions)


def _answered(contact: ContactState) -> Any:
    for attempt in reversed(contact.attempts):
        if attempt.record is not None:
            return attempt
    return None


def _row(contact: ContactState, items: list[str], scales: list[Scale], base_url: str) -> dict[str, Any]:
    attempt = _answered(contact)
    last = contact.attempts[-1] if contact.attempts else None
    slots: dict[str, Any] = attempt.record.slots if attempt is not None else {}
    call_id = attempt.call_id if attempt is not None else None
    row: dict[str, Any] = {
        "line": contact.line, "phone": contact.phone, "status": contact.status,
        "outcome": contact.final_outcome or (last.outcome if last else None),
        "dialogue_outcome": attempt.dialogue_outcome if attempt is not None else None,
        "attempts": len(contact.attempts), "invalid_reason": contact.reason, "call_id": call_id,
        "transcript_url": f"{base_url}/api/calls/{call_id}" if call_id else None,
        "recording_url": f"{base_url}/api/calls/{call_id}/audio" if call_id else None,
        "variables": contact.variables,
    }
    for item in items:
        row[item] = slots.get(item)
    if items or "flagged_items" in slots:
        flagged = slots.get("flagged_items")
        row["flagged_items"] = list(flagged) if isinstance(flagged, list | tuple) else []
    for scale in scales:
        value = slots.get(scale.slot)
        row[scale.slot] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return row


def _guess_layout(contacts: list[ContactState]) -> tuple[list[str], list[Scale]]:
    items: dict[str, None] = {}
    seen: dict[str, list[int]] = {}
    for contact in contacts:
        attempt = _answered(contact)
        if attempt is None:
            continue
        for name, value in attempt.record.slots.items():
            if isinstance(value, bool):
                if name != "consent":
                    items[name] = None
            elif isinstance(value, int):
                seen.setdefault(name, []).append(value)
    scales = [Scale(name, min(values), max(values)) for name, values in seen.items()]
    return list(items), scales


# ---- rendering ----


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    raise CampaignError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def _columns(report: Report) -> list[str]:
    variables: dict[str, None] = {}
    for row in report.rows:
        variables.update(dict.fromkeys(row["variables"]))
    columns = ["line", "phone", "status", "outcome", "dialogue_outcome", "attempts", "invalid_reason"]
    columns += [f"var:{name}" for name in variables if name.lower() != "phone"]
    columns += report.items
    if report.items or any("flagged_items" in row for row in report.rows):
        columns.append("flagged_items")
    columns += [scale.slot for scale in report.scales]
    return [*columns, "call_id", "transcript_url", "recording_url"]


def _cell(row: dict[str, Any], column: str) -> str:
    value = row["variables"].get(column[4:]) if column.startswith("var:") else row.get(column)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _columns(report)
    writer.writerow([c.removeprefix("var:") for c in columns])
    for row in report.rows:
        writer.writerow([_cell(row, c) for c in columns])
    return out.getvalue()


def bar_chart_svg(title: str, counts: dict[int, int], *, width_px: int = 420, height_px: int = 180) -> str:
    """A bar chart as inline SVG: one bar per value, its count above it."""
    values = list(counts)
    top = max(counts.values(), default=0) or 1
    margin, label_px = 24, 18
    slot_px = (width_px - 2 * margin) / max(len(values), 1)
    plot_px = height_px - margin - 2 * label_px
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width_px}" height="{height_px}" '
             f'viewBox="0 0 {width_px} {height_px}"><title>{html.escape(title)}</title>']
    for i, value in enumerate(values):
        count = counts[value]
        bar = plot_px * count / top
        x = margin + i * slot_px + slot_px * 0.15
        y = label_px + plot_px - bar
        w = slot_px * 0.7
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar:.1f}" '
                     f'fill="#3b6ea5"><title>{value}: {count}</title></rect>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
                     f"{count}</text>")
        parts.append(f'<text x="{x + w / 2:.1f}" y="{height_px - 6}" font-size="12" text-anchor="middle">'
                     f"{value}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _html(report: Report) -> str:
    esc = html.escape
    campaign = report.campaign
    columns = _columns(report)
    progress = report.progress
    outcome_list = "".join(f"<li>{esc(str(k))}: {v}</li>" for k, v in progress.outcomes.items())
    charts = "".join(f"<figure><figcaption>{esc(slot)}</figcaption>{bar_chart_svg(slot, counts)}</figure>"
                     for slot, counts in report.distributions.items())
    head = "".join(f"<th>{esc(c.removeprefix('var:'))}</th>" for c in columns)
    body = []
    for row in report.rows:
        cells = []
        for column in columns:
            text = _cell(row, column)
            if column in ("transcript_url", "recording_url") and text:
                label = "transcript" if column == "transcript_url" else "recording"
                cells.append(f'<td><a href="{esc(text)}">{label}</a></td>')
            elif column == "flagged_items" and text:
                cells.append(f'<td class="flagged">{esc(text)}</td>')
            else:
                cells.append(f"<td>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Campaign {esc(campaign.id)}</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}.flagged{background:#fde2e2}"
        "figure{display:inline-block;margin:1em}</style></head><body>"
        f"<h1>Campaign {esc(campaign.name)} ({esc(campaign.id)})</h1>"
        f"<p>Dialogue {esc(campaign.settings.dialogue)}; status {esc(progress.status)}; "
        f"{progress.done} of {progress.total} contacts done, {progress.pending} pending, "
        f"{progress.invalid} invalid.</p><ul>{outcome_list}</ul>{charts}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n")
