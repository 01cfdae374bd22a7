"""Span posts from the ACL-2022 per-annotator release and HateXplain rationales."""

import pandas as pd

from cleanspeech.training.span_sources import acl_gold, hatexplain_posts, min_votes


def test_acl_gold_counts_votes_per_character(tmp_path):
    pd.DataFrame({"comment_id": [1, 2], "comment_text": ["you idiot fool", "fine post"]}).to_csv(
        tmp_path / "acl2022_comments.csv", index=False)
    # post 1: three annotators, two mark "idiot", one marks "fool"; post 2: seven, one marks "post"
    ann = [(10, 1), (11, 1), (12, 1)] + [(20 + k, 2) for k in range(7)]
    pd.DataFrame({"annotation": [a for a, _ in ann], "comment_id": [c for _, c in ann],
                  "worker": range(len(ann)), "country": "USA", "all toxic": False, "not toxic": False}
                 ).to_csv(tmp_path / "acl2022_annotations.csv", index=False)
    pd.DataFrame({"annotation": [10, 11, 12, 20], "type": "Insult", "start": [4, 4, 10, 5], "end": [9, 9, 14, 9]}
                 ).to_csv(tmp_path / "acl2022_spans.csv", index=False)
    gold = acl_gold(tmp_path).set_index("text")
    assert min_votes(3) == 1 and min_votes(7) == 2
    assert gold.loc["you idiot fool", "offsets"] == [*range(4, 9), *range(10, 14)]  # one vote is enough of 3
    assert gold.loc["fine post", "offsets"] == []  # one vote of 7 is not
    assert gold.loc["fine post", "annotators"] == 7


def test_hatexplain_rationales_become_character_offsets(tmp_path):
    pd.DataFrame({"post_tokens": ["['you', 'dumb', 'cow']", "['hello', 'there']"],
                  "toxic_tokens": ["[0, 1, 1]", "[0, 0]"], "post_label": ["offensive", "normal"]}
                 ).to_csv(tmp_path / "hx.csv", index=False)
    posts = hatexplain_posts(tmp_path / "hx.csv")
    text, offsets = posts.iloc[0]["text"], posts.iloc[0]["offsets"]
    assert text == "you dumb cow" and "".join(text[i] for i in offsets) == "dumbcow"
    assert posts.iloc[1]["offsets"] == []
