import numpy as np
from rich.console import Console

from cleanspeech.explain import Explanation, TokenAttribution, render_html, render_terminal
from cleanspeech.explain.words import split_words


def _exp(text="<b>you</b> idiot & co"):
    words = split_words(text)
    tokens = [TokenAttribution(w.text, w.start, w.end, np.eye(6)[0] * (2.0 if w.text == "idiot" else -0.5))
              for w in words]
    start = text.index("idiot")
    return Explanation(text, np.array([0.9, 0.1, 0.2, 0.0, 0.7, 0.0]), ["toxic", "insult"], tokens,
                       [(start, start + 5)])


def test_html_is_escaped_self_contained_and_marks_spans():
    out = render_html(_exp())
    assert "<b>you</b>" not in out and "&lt;" in out and "&amp;" in out
    assert "<script" not in out and "http" not in out
    assert 'class="cs-w cs-span"' in out and ">idiot</span>" in out
    assert "rgba(220,38,38,0.85)" in out  # the top word at full intensity


def test_html_for_a_chosen_label_and_empty_text():
    assert "insult" in render_html(_exp(), label="insult")
    empty = Explanation("", np.zeros(6), [], [], [])
    assert "cs-exp" in render_html(empty)


def test_terminal_rendering_shows_text_and_spans():
    console = Console(record=True, width=100)
    console.print(render_terminal(_exp()))
    out = console.export_text()
    assert "idiot & co" in out and "spans:" in out and "0.900" in out
