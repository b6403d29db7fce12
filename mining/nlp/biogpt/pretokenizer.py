"""The Rust half of the BioGPT tokenizer: BPE over BioGPT's merges, fed by a Moses pre-tokenizer.

``tokenizers`` runs BPE, special tokens and offsets natively; Moses stays in Python
(:mod:`mining.nlp.biogpt.moses_offsets`) and reaches Rust as a custom pre-tokenizer that edits the
text's ``NormalizedString``. Those edits are what keep offsets original: every character BPE
sees (``&amp;`` included) stays aligned to the character it came from.

Two ways to make the edits, chosen per text:

* :class:`MosesSpacing` (nearly all texts): a handful of global Rust edits insert spaces
  where Moses splits and expand escapes; a Rust ``Split(" ")`` then cuts the words. Its
  rules approximate Moses (abbreviations, number commas), so the result is compared with
  Moses' real tokens and used only when equal: the approximation costs speed, never ids.
* The exact path: one ``NormalizedString`` slice per Moses token, rewritten to the token.
  Slower (a slice costs microseconds, a text has hundreds of tokens) but handles anything:
  control characters Moses deletes, the odd abbreviation the rules miss, and words whose
  BPE ends outside the vocabulary (:class:`OutOfVocabPieces`).
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from tokenizers import NormalizedString, PreTokenizedString, Regex, models

from mining.errors import ModelError
from mining.nlp.biogpt.moses_offsets import ESCAPES, HYPHEN, JUNK, FastMosesTokenizer, align
from mining.nlp.biogpt.vocab import WORD_END, Merges, Vocab

MASK = "\x00"  # a character BPE cannot know: Moses deletes it, so no vocabulary has it
_CACHE_LIMIT = 1 << 18  # words remembered by the out-of-vocabulary check before it starts over

Pieces = tuple[tuple[int, int], ...]


def bpe_model(vocab: Vocab, merges: Merges) -> tuple[models.BPE, int]:
    """Rust BPE over BioGPT's merges, and the first id that is not BioGPT's.

    BioGPT's merges build some symbols its vocabulary lacks (``&apos`` on the way to
    ``&apos;``, ``-@`` on the way to ``@-@``) and Rust refuses merges into unknown symbols, so
    those get ids from the bound upwards; :class:`OutOfVocabPieces` keeps them out of the
    output.
    """
    full = dict(vocab)
    limit = max(vocab.values()) + 1
    for left, right in merges:
        for symbol in (left, right, left + right):
            full.setdefault(symbol, len(full) - len(vocab) + limit)
    if MASK in full or MASK + WORD_END in full:
        raise ModelError("vocabulary", f"it contains the reserved character {MASK!r}")
    model = models.BPE(
        vocab=full, merges=merges, unk_token="<unk>", end_of_word_suffix=WORD_END, fuse_unk=False
    )
    return model, limit


class OutOfVocabPieces:
    """Where BPE of a Moses token ends on a merge step outside the vocabulary.

    BioGPT's tokenizer turns such a piece into ``<unk>``; Rust would emit the step's private
    id. They are rare (a stray ``&apos;`` fragment, a truncated word like "evertheless"): a
    piece is one only if the token contains its text (word-final ones at the token's end,
    others before more of the token), so one regex rules most tokens out before BPE runs.
    Answers are cached per token.
    """

    def __init__(self, model: models.BPE, limit: int, vocab: Vocab, merges: Merges) -> None:
        self._model, self._limit = model, limit
        outside = {s for pair in merges for s in (*pair, "".join(pair)) if s not in vocab}
        # Tokens never hold "<" (Moses escapes it), so "(?!<)" means "not at the token's end".
        pattern = "|".join(
            re.escape(s) if s.endswith(WORD_END) else f"{re.escape(s)}(?!<)"
            for s in sorted(outside, key=len, reverse=True)
        )
        self._candidate = re.compile(pattern) if pattern else None
        self.cache: dict[str, Pieces] = {}

    def any_in(self, tokens: list[str]) -> bool:
        """Whether any token holds such a piece (cached look-ups run in C when all are known)."""
        found = list(map(self.cache.get, tokens))
        if None in found:
            found = [self(token) for token in tokens]
        return any(found)

    def __call__(self, token: str) -> Pieces:
        """Character ranges of ``token`` that BioGPT's BPE turns into ``<unk>`` that way."""
        found = self.cache.get(token)
        if found is None:
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            found = self.cache[token] = self._find(token)
        return found

    def _find(self, token: str) -> Pieces:
        if self._candidate is None or not self._candidate.search(token + WORD_END):
            return ()
        pieces = [piece for piece in self._model.tokenize(token) if piece.id >= self._limit]
        char_at_byte = [i for i, char in enumerate(token) for _ in char.encode("utf-8")]
        char_at_byte.append(len(token))
        return tuple((char_at_byte[p.offsets[0]], char_at_byte[p.offsets[1]]) for p in pieces)


class MosesSpacing:
    """Moses' cuts made by global Rust edits on a whole text (the fast path; see module doc).

    The rules follow ``sacremoses`` in its order: pad symbols, split intra-word hyphens into
    ``@-@``, isolate dot runs, split commas not between digits, English apostrophes, split a
    final full stop unless the word is an abbreviation, then escape.
    """

    def __init__(self, moses: FastMosesTokenizer) -> None:
        alnum, digits = _onig_class(moses.IsAlnum), _onig_class(moses.IsN)
        alpha, lower = _onig_class(moses.IsAlpha), _onig_class(moses.IsLower)
        self._unpadded = frozenset(moses.IsAlnum) | frozenset(" .'`,-")  # see PAD_NOT_ISALNUM
        self._rules: list[tuple[str, Regex, str]] = [
            ("-", Regex(f"(?<=[{alnum}])-(?=[{alnum}])"), f" {HYPHEN} "),
            ("..", Regex(r"(?<!\.)(?=\.\.)"), " "),
            ("..", Regex(r"(?<=\.\.)(?!\.)"), " "),
            (",", Regex(f"(?<=[^{digits}]),|,(?=[^{digits}])|(?<=[{digits}]),$"), " , "),
            ("'", Regex(f"(?<=[^{alpha}])'(?=[^{alpha}])"), " ' "),
            ("'", Regex(f"(?<=[^{alpha}{digits}])'(?=[{alpha}])"), " ' "),
            ("'", Regex(f"(?<=[{alpha}])'(?=[^{alpha}])"), " ' "),
            ("'", Regex(f"(?<=[{alpha}])'(?=[{alpha}])"), " '"),
            ("'", Regex(f"(?<=[{digits}])'(?=s)"), " '"),
            (".", Regex(_full_stop_pattern(moses, alpha, lower)), " ."),
        ]

    def apply(self, segment: NormalizedString, text: str, tokens: list[str]) -> bool:
        """Edit ``segment`` (holding ``text``) to read ``tokens`` joined by spaces, if it can.

        Returns False (``segment`` then half-edited: pass a copy) when the rules miss Moses.
        """
        if not JUNK.isdisjoint(text):  # deleted characters: the exact path handles those
            return False
        for char in set(text).difference(self._unpadded):
            segment.replace(char, " " if char.isspace() else f" {char} ")
        for needed, pattern, content in self._rules:
            if needed in text:
                segment.replace(pattern, content)
        for char, entity in ESCAPES:  # last: entities hold ";", "&", "#", which get padded
            if char in text:
                segment.replace(char, entity)
        return [word for word in segment.normalized.split(" ") if word] == tokens


def _full_stop_pattern(moses: FastMosesTokenizer, alpha: str, lower: str) -> str:
    """A final "." to split: not an abbreviation (``e.g.``, ``Dr.``, a capital), before a
    word that does not start in lower case. The dot comes first so Rust only tries it there."""
    prefixes = sorted((p for p in moses.NONBREAKING_PREFIXES if "#" not in p), key=len)
    keep = "".join(
        f"(?<!{lead}(?:{'|'.join(re.escape(p) for p in same_length)})\\.)"
        for _, group in itertools.groupby(prefixes, key=len)
        for same_length in [list(group)]
        for lead in (" ", "^")
    )
    dotted = "".join(f"(?<!\\.[^ .]{{{n}}}[{alpha}]\\.)" for n in range(3))
    return f"\\.(?<=[^ .]\\.){keep}{dotted}(?= +[^ {lower}]| *$)"


def _onig_class(chars: str) -> str:
    """The body of an Oniguruma character class holding exactly ``chars``, as code ranges."""
    codes = sorted({ord(char) for char in chars})
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in runs)


@cache
def _shared_moses() -> tuple[FastMosesTokenizer, MosesSpacing]:
    """One Moses tokenizer and rule set per process (the rules compile 11k-character classes)."""
    moses = FastMosesTokenizer()
    return moses, MosesSpacing(moses)


class MosesPreTokenizer:
    """``tokenizers`` custom pre-tokenizer: cuts each text segment into Moses tokens.

    Pair it with a following ``Split(" ", "removed")``: the fast path returns the whole
    segment with spaces inserted, the exact path one split per token.
    """

    def __init__(self, unknown: OutOfVocabPieces) -> None:
        self.moses, self.spacing = _shared_moses()
        self.unknown = unknown

    def pre_tokenize(self, pretok: PreTokenizedString) -> None:
        """Entry point called by ``tokenizers`` for every text segment between added tokens."""
        pretok.split(self._split)

    def _split(self, _index: int, segment: NormalizedString) -> list[NormalizedString]:
        text = segment.normalized
        tokens = self.moses.tokenize_biogpt(text)
        if not self.unknown.any_in(tokens):
            spaced = segment.slice((0, len(text)))
            if spaced is not None and self.spacing.apply(spaced, text, tokens):
                return [spaced]
        return self._words(segment, text, tokens)

    def _words(
        self, segment: NormalizedString, text: str, tokens: list[str]
    ) -> list[NormalizedString]:
        """The exact path: one slice per Moses token, rewritten into the token."""
        words = []
        for (start, end), token in zip(align(text, tokens), tokens, strict=True):
            if start == end:  # only for input Moses mangles beyond alignment: borrow a character
                start = max(0, end - 1)
            word = segment.slice((start, end))
            if text[start:end] != token:
                rewrite_as(word, token)
            if pieces := self.unknown(token):
                mask_pieces(word, pieces)
            words.append(word)
        return words


def rewrite_as(word: NormalizedString, token: str) -> None:
    """Edit ``word`` (original characters) into ``token`` (Moses' output), keeping alignments.

    Deleted control characters are filtered out and escapes expanded one character at a time,
    so every output character keeps its own source. Anything else Moses rewrote (a literal
    "DOTMULTI" becomes ".") is replaced wholesale by :func:`replace_keeping_ends`.
    """
    if not JUNK.isdisjoint(word.normalized):
        word.filter(lambda char: char not in JUNK)
    if token == HYPHEN:
        word.replace("-", HYPHEN)
    else:
        for char, entity in ESCAPES:
            if char in word.normalized:
                word.replace(char, entity)
    if word.normalized != token:
        replace_keeping_ends(word, token)


def replace_keeping_ends(word: NormalizedString, target: str) -> None:
    """Make ``word`` read ``target``, its first and last characters aligned to the word's ends.

    ``NormalizedString.replace`` aligns a multi-character match to its *last* character only,
    which would shrink the word's span; expanding two kept characters instead keeps the span.
    """
    size = len(word.normalized)
    if size == 0:
        word.append(target)
    elif size == 1 or len(target) == 1:
        _keep_only(word, {0})
        word.replace(word.normalized, target)
    else:
        _keep_only(word, {0, size - 1})
        position = itertools.count()
        word.map(lambda char: "\x01" if next(position) else "\x00")  # Moses never emits these
        word.replace("\x00", target[:-1])
        word.replace("\x01", target[-1])


def mask_pieces(word: NormalizedString, pieces: Pieces) -> None:
    """Replace each piece (a character range of ``word``) by one :data:`MASK`, right to left.

    The mask keeps the alignment of the piece's first character: an unknown piece's offsets
    cover that character, not the whole piece (one character cannot align to several).
    """
    for start, end in reversed(pieces):
        _mask_at(word, start, end)


def _mask_at(word: NormalizedString, start: int, end: int) -> None:
    _keep_only(word, set(range(len(word.normalized))) - set(range(start + 1, end)))
    position = itertools.count()
    word.map(lambda char: MASK if next(position) == start else char)


def _keep_only(word: NormalizedString, positions: set[int]) -> None:
    position = itertools.count()
    word.filter(lambda _char: next(position) in positions)
