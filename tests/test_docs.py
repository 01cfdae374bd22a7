"""The README's Python example and the pipeline docstring are doctests: the output they show is
what the code prints with the shipped default model (they once claimed ['toxic', 'insult'] for
a comment the model also flags as obscene)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def default_model_available() -> None:
    from cleanspeech.models.registry import resolve_model_path

    try:
        resolve_model_path("default")
    except FileNotFoundError:
        pytest.skip("the shipped default model is not in this checkout")
    pytest.importorskip("onnxruntime")


def _run(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0, f"{test.name}: no examples found"
    assert result.failed == 0, f"{test.name}: {result.failed} example(s) print something else"


@pytest.mark.slow
def test_readme_python_example_prints_what_it_shows(default_model_available) -> None:
    text = README.read_text(encoding="utf-8")
    _run(doctest.DocTestParser().get_doctest(text, {}, "README.md", str(README), 0))


@pytest.mark.slow
def test_pipeline_docstring_example(default_model_available) -> None:
    import cleanspeech.pipeline as pipeline

    tests = doctest.DocTestFinder().find(pipeline)
    assert tests
    for test in tests:
        if test.examples:
            _run(test)
