"""A small WordPiece vocabulary for a course corpus: trained with Hugging Face `tokenizers`, numbered the same way on
every run, and loaded as a `transformers.BertTokenizer` (lecture 04 pre-trains a tiny BERT with it)."""
from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4, in this order


@dataclass
class WordPieceVocabulary:
    tokenizer: object            # a transformers.BertTokenizer over `tokens`
    tokens: list[str]            # every token, special tokens first, then by corpus frequency (ties by name)
    counts: collections.Counter  # how often the trained tokenizer produced each token on the corpus
    trained_size: int            # how many tokens the `tokenizers` trainer made (before pruning)

    @property
    def ordered(self) -> list[str]:
        """The non-special tokens, most frequent first."""
        return self.tokens[len(SPECIAL_TOKENS):]

    @property
    def used(self) -> int:
        """How many of the kept tokens the corpus actually uses (the rest are single characters)."""
        return sum(self.counts[t] > 0 for t in self.ordered)


def train_wordpiece(sentences: Iterable[str], *, vocab_size: int = 1000, min_frequency: int = 2) -> WordPieceVocabulary:
    """Train a lower-casing WordPiece vocabulary on `sentences` and renumber it reproducibly.

    The trainer breaks ties between equally frequent merges in hash order, so its ids, and the pieces it keeps that
    the corpus never uses, change from run to run. We keep what the corpus uses plus the single characters (so any
    word can still be spelled) and number them as a BERT vocab.txt: special tokens first, then by frequency.
    """
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizer

    sentences = list(sentences)
    trainer = BertWordPieceTokenizer(lowercase=True)
    trainer.train_from_iterator(sentences, vocab_size=vocab_size, min_frequency=min_frequency,
                                special_tokens=SPECIAL_TOKENS, show_progress=False)
    counts = collections.Counter(t for s in sentences for t in trainer.encode(s, add_special_tokens=False).tokens)
    kept = {t for t in trainer.get_vocab() if counts[t] > 0 or len(t.removeprefix("##")) == 1} - set(SPECIAL_TOKENS)
    tokens = SPECIAL_TOKENS + sorted(kept, key=lambda t: (-counts[t], t))
    tokenizer = BertTokenizer(vocab={t: i for i, t in enumerate(tokens)})
    return WordPieceVocabulary(tokenizer, tokens, counts, trainer.get_vocab_size())
