from cleanspeech.rewrite.offline import OfflineRewriter
from cleanspeech.rewrite.wordlist import WordRates, load_word_rates
from cleanspeech.training.rewrite_lexicon import mine_word_rates


def test_mine_word_rates_counts_comments_not_tokens():
    texts = ["you moron moron", "a moron here", "nice moron", "nice day", "nice work"]
    rates = mine_word_rates(texts, [1, 1, 0, 0, 0], min_count=2, min_rate=0.5)
    assert rates == {"moron": (3, 2)}
    assert WordRates(rates).rate("moron") == 2 / 4 and WordRates(rates).rate("nice") == 0.0


def test_jigsaw_rates_fill_in_for_words_paradetox_rarely_saw():
    rates = load_word_rates()
    assert rates.rate("dickhead") > 0.6 and rates.rate("wikipedia") == 0.0
    rw = OfflineRewriter()
    out = dict(rw.candidates("tell the world why you are a grand dickhead"))
    assert out and all("dickhead" not in c for c in out.values())
