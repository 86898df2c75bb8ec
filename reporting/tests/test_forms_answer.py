"""reporting.forms.AnswerForm: one field per metric, each with the widget its kind needs
(set up without copying widget instances, see the form)."""
from __future__ import annotations

from reporting.forms import AnswerForm

from .conftest import metric


def test_each_kind_has_its_widget(request_open):
    form = AnswerForm(metrics=list(request_open.metrics.all()))
    html = {kind: str(form[f"m{metric(request_open, kind).pk}"]) for kind in
            ("count", "boolean", "date", "text", "urls", "file")}
    assert 'type="number"' in html["count"] and 'min="0"' in html["count"]
    assert "<select" in html["boolean"] and 'value="yes"' in html["boolean"]
    assert 'type="date"' in html["date"] and 'type="text"' not in html["date"]
    assert "<textarea" in html["text"] and 'rows="3"' in html["text"] and 'cols="40"' in html["text"]
    assert 'rows="4"' in html["urls"] and 'placeholder="https://…"' in html["urls"]
    assert 'type="file"' in html["file"] and "multiple" in html["file"]


def test_widgets_are_not_shared_between_forms(request_open):
    metrics = list(request_open.metrics.all())
    a, b = AnswerForm(metrics=metrics), AnswerForm(metrics=metrics)
    name = f"m{metric(request_open, 'count').pk}"
    a.fields[name].widget.attrs["max"] = 5
    assert "max" not in b.fields[name].widget.attrs
