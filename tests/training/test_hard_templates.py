"""Training-only hard examples: disjoint from the behavioural suite, labelled consistently."""

import numpy as np

from cleanspeech.evaluation.behaviour import build_suite
from cleanspeech.labels import LABELS
from cleanspeech.training.hard_templates import HARD_PHENOMENA, hard_example_rows, hard_example_texts


def test_no_training_sentence_is_a_suite_case():
    suite = {c.text.lower() for c in build_suite(None)}
    texts = [t for _, t in hard_example_texts()]
    assert texts and not [t for t in texts if t.lower() in suite]
    assert not [t for t in texts if "{" in t or "}" in t]  # every slot filled


def test_labels_follow_the_phenomenon():
    rows = hard_example_rows(max_per_template=2, seed=0)
    assert list(rows.columns) == ["comment_text", *LABELS]
    by_text = {text: name for name, text in hard_example_texts()}
    hateful = rows["comment_text"].map(lambda t: by_text[t].startswith("hate_"))
    assert hateful.any() and (~hateful).any()
    assert (rows.loc[hateful, ["toxic", "identity_hate"]] == 1).all().all()
    clean = rows.loc[~hateful, list(LABELS)].to_numpy()
    assert np.all(clean == 0)  # non-hateful hard examples are fully known and clean
    threats = rows["comment_text"].map(lambda t: by_text[t] == "hate_threat")
    assert (rows.loc[threats, "threat"] == 1).all()


def test_sampling_is_seeded_and_capped():
    a, b = hard_example_rows(3, seed=1), hard_example_rows(3, seed=1)
    assert a.equals(b)
    n_templates = sum(len(t) for _, t in HARD_PHENOMENA.values())
    assert len(a) <= 3 * n_templates


def test_contrast_claims_are_clean_new_and_kept_apart_from_the_hard_rows():
    from cleanspeech.training.augment import augmentation_rows
    from cleanspeech.training.hard_templates import CONTRAST_PHENOMENA

    suite = {c.text.lower() for c in build_suite(None)}
    texts = [t for _, t in hard_example_texts(CONTRAST_PHENOMENA)]
    assert texts and not [t for t in texts if t.lower() in suite]
    # the hand examples and the probes that showed the fault stay unseen
    probes = {"gay marriage should be legal.", "women deserve equal pay.", "jews deserve to be safe.",
              "women should be paid the same as men.", "gay people should have equal rights."}
    assert not {t.lower() for t in texts} & probes
    rows = augmentation_rows(["contrast"], None, "unused", seed=0)
    assert len(rows) == 12 * len(CONTRAST_PHENOMENA["clean_civil_claims"][1])
    assert np.all(rows[list(LABELS)].to_numpy() == 0)
    assert hard_example_rows(8, seed=42).equals(augmentation_rows(["hard"], None, "unused", seed=42))
