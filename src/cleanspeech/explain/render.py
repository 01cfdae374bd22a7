"""Heatmap renderings of an :class:`Explanation`: self-contained HTML and a rich terminal view.

Each word is shaded by its attribution to one label (red pushes the score up, blue pulls it
down), scaled by the largest absolute attribution in the text; toxic spans are underlined.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from cleanspeech.explain.types import Explanation
from cleanspeech.labels import LABEL2ID, LABELS

_ON = ' class="cs-on"'
_CSS = (
    ".cs-exp{font-family:system-ui,sans-serif;line-height:1.9;max-width:60em}"
    ".cs-exp .cs-text{white-space:pre-wrap;word-wrap:break-word}"
    ".cs-exp .cs-w{border-radius:3px;padding:0 1px}"
    ".cs-exp .cs-span{text-decoration:underline 2px #b00020;text-underline-offset:3px}"
    ".cs-exp table{border-collapse:collapse;font-size:.85em;margin-bottom:.5em}"
    ".cs-exp td,.cs-exp th{padding:1px 8px;text-align:left}"
    ".cs-exp .cs-on{font-weight:bold;color:#b00020}"
)


def pick_label(exp: Explanation, label: str | None = None) -> str:
    """``label`` if given, else the highest-scoring label."""
    if label is not None:
        if label not in LABEL2ID:
            raise ValueError(f"unknown label {label!r}; choose one of {list(LABELS)}")
        return label
    return LABELS[int(np.argmax(exp.scores))] if len(exp.scores) else "toxic"


def _weights(exp: Explanation, label: str) -> np.ndarray:
    """Attributions to ``label`` scaled into ``[-1, 1]`` ``(n_words,)``."""
    a = exp.attributions()[:, LABEL2ID[label]] if exp.tokens else np.zeros(0)
    scale = np.abs(a).max() if a.size else 0.0
    return a / scale if scale > 0 else np.zeros_like(a)


def _in_span(exp: Explanation, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in exp.spans)


def _color(w: float) -> str:
    alpha = round(min(1.0, abs(w)) * 0.85, 3)
    return f"rgba(220,38,38,{alpha})" if w > 0 else f"rgba(37,99,235,{alpha})"


def render_html(exp: Explanation, label: str | None = None) -> str:
    """A self-contained HTML fragment (inline CSS, all text escaped): scores and the heatmap."""
    label = pick_label(exp, label)
    weights = _weights(exp, label)
    rows = "".join(
        f"<tr><td{_ON if name in exp.labels else ''}>{html.escape(name)}</td>"
        f"<td>{float(p):.3f}</td></tr>"
        for name, p in zip(LABELS, exp.scores)
    )
    parts, pos = [], 0
    for tok, w in zip(exp.tokens, weights):
        parts.append(html.escape(exp.text[pos:tok.start]))
        a = float(tok.attributions[LABEL2ID[label]])
        cls = "cs-w cs-span" if _in_span(exp, tok.start, tok.end) else "cs-w"
        parts.append(
            f'<span class="{cls}" style="background:{_color(w)}" '
            f'title="{html.escape(label)}: {a:+.3f}">{html.escape(tok.text)}</span>'
        )
        pos = tok.end
    parts.append(html.escape(exp.text[pos:]))
    return (
        f'<div class="cs-exp"><style>{_CSS}</style>'
        f"<table><tr><th>label</th><th>score</th></tr>{rows}</table>"
        f'<div class="cs-caption">word attributions to <b>{html.escape(label)}</b> '
        f"(red raises, blue lowers; underlined: toxic spans)</div>"
        f'<div class="cs-text">{"".join(parts)}</div></div>'
    )


def to_rich_text(exp: Explanation, label: str | None = None) -> Any:
    """A ``rich.text.Text`` heatmap of the text for ``label``."""
    from rich.text import Text

    label = pick_label(exp, label)
    weights = _weights(exp, label)
    out, pos = Text(), 0
    for tok, w in zip(exp.tokens, weights):
        out.append(exp.text[pos:tok.start])
        level = int(round(min(1.0, abs(w)) * 5))
        bg = (f"rgb({255 - 20 * level},{255 - 45 * level},{255 - 45 * level})" if w > 0
              else f"rgb({255 - 45 * level},{255 - 30 * level},255)") if level else ""
        style = f"black on {bg}" if bg else ""
        if _in_span(exp, tok.start, tok.end):
            style = (style + " bold underline").strip()
        out.append(tok.text, style=style or None)
        pos = tok.end
    out.append(exp.text[pos:])
    return out


def render_terminal(exp: Explanation, label: str | None = None) -> Any:
    """A rich renderable (print it with ``console.print``): scores, heatmap and spans."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    label = pick_label(exp, label)
    table = Table(show_header=True, header_style="bold", box=None)
    for name in LABELS:
        table.add_column(name, justify="right")
    table.add_row(*[
        f"[bold red]{p:.3f}[/]" if name in exp.labels else f"{p:.3f}" for name, p in zip(LABELS, exp.scores)
    ])
    caption = Text.from_markup(f"[dim]attributions to[/] [bold]{label}[/] [dim](red raises, blue "
                               f"lowers; bold underline: toxic spans)[/]")
    parts = [table, caption, to_rich_text(exp, label)]
    if exp.spans:
        parts.append(Text("spans: ", style="dim") + Text(", ".join(repr(t) for t in exp.span_texts())))
    return Group(*parts)


def print_explanation(exp: Explanation, label: str | None = None, console: Any = None) -> None:
    """Print :func:`render_terminal` to ``console`` (stdout by default)."""
    from rich.console import Console

    (console or Console()).print(render_terminal(exp, label))
