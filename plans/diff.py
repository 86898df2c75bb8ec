"""What changed between two versions of a plan (the plan page shows it for versions)."""
from __future__ import annotations

from collections import defaultdict, deque

from django.db.models import Prefetch

from planwatch.lib.text import fold

from .models import Mention, Plan

# Compared per activity; dates as ISO strings so the result is plain JSON.
DIFF_FIELDS = ("ref", "title", "content", "time_text", "start", "end", "deadline", "lead", "support")


def _mention_name(mention: Mention) -> str:
    if mention.unit is not None:
        return mention.unit.name
    if mention.group is not None:
        return mention.group.name
    return mention.text


def _snapshots(plan: Plan) -> list[dict]:
    mentions = Mention.objects.exclude(status=Mention.Status.IGNORED).select_related("unit", "group")
    rows = []
    for a in plan.activities.order_by("position").prefetch_related(Prefetch("mentions", queryset=mentions)):
        names = {"lead": set(), "support": set()}
        for m in a.mentions.all():
            names[m.role].add(_mention_name(m))
        rows.append({
            "ref": a.ref, "title": a.title, "content": a.content, "time_text": a.time_text,
            "start": a.start.isoformat() if a.start else None,
            "end": a.end.isoformat() if a.end else None,
            "deadline": a.deadline.isoformat() if a.deadline else None,
            "lead": sorted(names["lead"]), "support": sorted(names["support"]),
        })
    return rows


def plan_diff(*, old: Plan, new: Plan) -> dict:
    """Activities of `new` against those of `old`, matched by ref and title, then by
    title alone (renumbered), then by ref alone (retitled); titles compare ignoring
    case and diacritics.

    Returns {"added": [new refs], "removed": [old refs],
             "changed": [{"ref": new ref, "fields": {name: [old value, new value]}}]}
    where names are DIFF_FIELDS; lead/support are the sorted names the mentions
    resolved to (the text as written when unresolved). Two queries per plan."""
    old_rows, new_rows = _snapshots(old), _snapshots(new)
    old_titles = [fold(row["title"]) for row in old_rows]
    new_titles = [fold(row["title"]) for row in new_rows]
    pairs: dict[int, int] = {}  # new index -> old index
    matched_old: set[int] = set()
    for key in (
        lambda rows, titles, i: (rows[i]["ref"], titles[i]),
        lambda rows, titles, i: titles[i],
        lambda rows, titles, i: rows[i]["ref"],
    ):
        waiting: dict = defaultdict(deque)  # key -> unmatched old indices, in order
        for i in range(len(old_rows)):
            if i not in matched_old:
                waiting[key(old_rows, old_titles, i)].append(i)
        for j in range(len(new_rows)):
            if j not in pairs and (found := waiting.get(key(new_rows, new_titles, j))):
                pairs[j] = found.popleft()
                matched_old.add(pairs[j])

    changed = []
    for j, row in enumerate(new_rows):
        if j not in pairs:
            continue
        before = old_rows[pairs[j]]
        fields = {f: [before[f], row[f]] for f in DIFF_FIELDS if before[f] != row[f]}
        if fields:
            changed.append({"ref": row["ref"], "fields": fields})
    return {
        "added": [row["ref"] for j, row in enumerate(new_rows) if j not in pairs],
        "removed": [row["ref"] for i, row in enumerate(old_rows) if i not in matched_old],
        "changed": changed,
    }
