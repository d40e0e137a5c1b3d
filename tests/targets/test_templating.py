"""The shared Jinja2 set-up (targets/templating.py): its own filters give
exactly what Jinja2's give."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup

from generator.targets.templating import new_environment

TEXTS = [
    "",
    "One short line.",
    "A description long enough to be wrapped over several lines, with a "
    "hyphenated-word-that-is-long and a URL https://www.zohoapis.com/crm/bulk/v8/read "
    "that no break may split.",
    "Two\n\nparagraphs, the second one long enough to wrap at the width asked for here.",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(
    "arguments", ["", "40", '76, False, "\\n    ", False', "20, True, none, True"]
)
def test_wordwrap_is_jinjas_own_remembered(text: str, arguments: str) -> None:
    source = f"{{{{ text | wordwrap({arguments}) }}}}"
    plain = jinja2.Environment().from_string(source)
    ours = new_environment(autoescape=False).from_string(source)
    for _ in range(2):  # the second time from what it remembers
        assert ours.render(text=text) == plain.render(text=text)


def test_wordwrap_of_markup_is_jinjas() -> None:
    source = "{{ text | wordwrap(20) }}"
    text = Markup("<b>bold</b> words " * 4)
    plain = jinja2.Environment(autoescape=True).from_string(source)
    ours = new_environment(autoescape=True).from_string(source)
    assert ours.render(text=text) == plain.render(text=text)


def test_wordwrap_remembers_each_text_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.targets import templating

    monkeypatch.setattr(templating, "_WRAPPED", {})
    monkeypatch.setattr(templating, "_WRAPPED_LIMIT", 2)
    template = new_environment(autoescape=False).from_string("{{ text | wordwrap(20) }}")
    template.render(text=TEXTS[2])
    template.render(text=TEXTS[2])
    assert len(templating._WRAPPED) == 1
    template.render(text=TEXTS[3])
    template.render(text=TEXTS[1])  # past the bound: forgotten, then remembered afresh
    assert len(templating._WRAPPED) == 1
