import numpy as np
import pytest

from cleanspeech.labels import ID2LABEL, LABEL2ID, LABELS, labels_over, scores_to_dicts, vector_from_mapping


def test_six_labels_in_jigsaw_order():
    assert LABELS == ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
    assert [ID2LABEL[i] for i in range(6)] == list(LABELS)
    assert all(LABEL2ID[name] == i for i, name in ID2LABEL.items())


def test_scores_to_dicts_and_back():
    scores = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    d = scores_to_dicts(scores)[0]
    assert list(d) == list(LABELS)
    np.testing.assert_allclose(vector_from_mapping(d), scores[0])


def test_scores_to_dicts_rejects_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        scores_to_dicts(np.zeros((2, 5)))


def test_vector_from_mapping_names_missing_labels():
    with pytest.raises(ValueError, match="identity_hate"):
        vector_from_mapping({label: 0.5 for label in LABELS[:-1]})


def test_labels_over_uses_per_label_thresholds():
    scores = np.array([[0.9, 0.2, 0.5, 0.0, 0.7, 0.1]])
    assert labels_over(scores, np.array([0.5, 0.1, 0.6, 0.5, 0.7, 0.5])) == [["toxic", "severe_toxic", "insult"]]


def test_check_label_names_names_the_option_and_the_bad_label():
    from cleanspeech.labels import check_label_names

    check_label_names(["toxic", "identity_hate"], "distill_labels")  # every one a label: no error
    with pytest.raises(ValueError, match=r"distill_labels must be among .*'hate'"):
        check_label_names(["toxic", "hate"], "distill_labels")
