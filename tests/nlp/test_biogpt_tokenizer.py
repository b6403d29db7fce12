"""BioGptTokenizerFast against the real ``transformers.BioGptTokenizer`` (the reference).

The reference is built offline from BioGPT's real fairseq vocabulary (``biogpt_vocab/``)
through ``fairseq_to_hub``. Every id must match it; every token's offsets must point at the
original characters it was made from, which this file checks independently of the
implementation (its own escape map below).
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sacremoses", reason="transformers.BioGptTokenizer needs sacremoses")

from transformers import AutoTokenizer, BioGptTokenizer  # noqa: E402

from mining.errors import InputError  # noqa: E402
from mining.nlp.biogpt.moses_offsets import (  # noqa: E402
    FastMosesTokenizer,
    MosesSpan,
    align,
    escape,
    moses_spans,
    unescape,
)
from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast  # noqa: E402
from mining.nlp.biogpt.vocab import (  # noqa: E402
    fairseq_to_hub,
    read_bpecodes,
    read_fairseq_dict,
    read_hub_vocab,
)

# Moses' XML escapes, restated here so the offset check does not trust the implementation.
MOSES_ESCAPES = {
    "&": "&amp;",
    "|": "&#124;",
    "<": "&lt;",
    ">": "&gt;",
    "'": "&apos;",
    '"': "&quot;",
    "[": "&#91;",
    "]": "&#93;",
}
UNK_ID = 3
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")

EDGE_CASES = [
    "",
    "   ",
    "Na+/K+-ATPase & IL-2 levels",
    "\"Quoted\" text with 'single' quotes",
    "4-hydroxy-2-nonenal and β-blocker use",
    "5 mg/kg i.p. (n = 6) vs. 10 mg/kg b.i.d.",
    "IL-2, IL-6 and TNF-α were raised.",
    "Trailing punctuation!?...",
    "multiple   spaces\tand\nnewlines\u00a0here",
    "e.g. Dr. Smith et al. reported 1,000 and 10,000.5 cases, i.e. most.",
    "5'-UTR and 3' end; Parkinson's disease; patients' records; 'tis",
    "[1] <b>bold</b> a|b {x}",
    "ligand–receptor — 95% CI 1.2–3.4; p<0.05; x>y",
    "Ca2+ and Mg2+ ions, 37 degrees C, 0.5 microM.",
    "a..b ... c.... The end..",
    "café naïve Ω ≥ 5 µg",
    "nevertheless evertheless &apos; &amp;",
    "No. 5 and No. The pp. 7",
    "He said 'hello.' Then left.'",
]
# Inputs Moses rewrites beyond escaping: ids must still match; offsets only stay in bounds.
MANGLED_CASES = ["DOTMULTI x DOTDOTMULTIy", "x\x01y \x00z", "ab\x07", "\x1c\x1dseparators\x1e"]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_dir(shared_data: Path) -> Path:
    return shared_data / "biogpt_vocab" / "base"


@pytest.fixture(scope="module")
def hub_files(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return fairseq_to_hub(base_dir, tmp_path_factory.mktemp("biogpt-base"))


@pytest.fixture(scope="module")
def slow(hub_files: tuple[Path, Path]) -> BioGptTokenizer:
    return BioGptTokenizer(str(hub_files[0]), str(hub_files[1]))


@pytest.fixture(scope="module")
def fast(base_dir: Path) -> BioGptTokenizerFast:
    return BioGptTokenizerFast.from_fairseq(base_dir)


@pytest.fixture(scope="module")
def bc5cdr(shared_data: Path) -> dict[str, list[str]]:
    """BC5CDR train + dev: titles and abstracts whole, their sentences, the IOB sentences."""
    docs: list[str] = []
    for name in ("CDR_TrainingSet", "CDR_DevelopmentSet"):
        text = (shared_data / "bc5cdr" / "pubtator" / f"{name}.PubTator.txt").read_text("utf-8")
        docs += [m.group(1) for m in re.finditer(r"^\d+\|[ta]\|(.*)$", text, re.M)]
    sentences = [s for doc in docs for s in SENTENCE_END.split(doc) if s]
    conll = [
        " ".join(sentence)
        for name in ("train", "devel")
        for sentence in _iob_sentences(shared_data / "bc5cdr" / "conll_iob" / f"{name}.tsv")
    ]
    return {"documents": docs, "sentences": sentences, "conll": conll}


def _iob_sentences(path: Path) -> Iterator[list[str]]:
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            words.append(line.split("\t")[0])
        elif words:
            yield words
            words = []
    if words:
        yield words


# --- the offset check -------------------------------------------------------------------


def check_offsets(fast, slow, text: str, ids, offsets, word_ids) -> None:
    """Every word's tokens spell the Moses-escaped text at its span, piece by piece; the
    gaps between words are whitespace; special tokens sit at (0, 0) with no word."""
    assert (ids[0], tuple(offsets[0]), word_ids[0]) == (fast.sep_token_id, (0, 0), None)
    pieces = [token.removesuffix("</w>") for token in fast.convert_ids_to_tokens(ids)]
    moses_tokens: list[str] | None = None
    previous_end = 0
    for word, (first, stop) in enumerate(_word_ranges(word_ids)):
        assert word_ids[first] == word
        word_pieces = pieces[first:stop]
        if UNK_ID in ids[first:stop]:  # rare: take the piece texts from the reference
            moses_tokens = moses_tokens or slow.moses_tokenize(text, "en")
            word_pieces = [p.removesuffix("</w>") for p in slow.bpe(moses_tokens[word]).split()]
        start = offsets[first][0]
        assert text[previous_end:start].strip() == "", (text, word_pieces)
        spans = [tuple(span) for span in offsets[first:stop]]
        previous_end = _check_word(text, start, word_pieces, ids[first:stop], spans)
    assert text[previous_end:].strip() == ""


def _word_ranges(word_ids: list[int | None]) -> list[tuple[int, int]]:
    """``[first, stop)`` token index ranges of consecutive equal word ids (specials skipped)."""
    ranges: list[tuple[int, int]] = []
    for index, word in enumerate(word_ids):
        if word is None:
            continue
        if ranges and word_ids[ranges[-1][0]] == word:
            ranges[-1] = (ranges[-1][0], index + 1)
        else:
            ranges.append((index, index + 1))
    return ranges


def _check_word(text: str, start: int, pieces: list[str], ids, spans) -> int:
    """Check one word's piece spans against Moses' spelling of the text; return its end.

    A piece that BPE leaves outside the vocabulary (``<unk>``) only has to start where its
    characters start: its offsets cover its first character (see ``mask_pieces``).
    """
    spelled = "".join(pieces)
    hyphen = spelled == "@-@"
    if not hyphen and "&" not in spelled and UNK_ID not in ids:  # spelled as in the text
        assert text[start : start + len(spelled)] == spelled, (text, pieces)
        assert spans == list(
            itertools.pairwise(itertools.accumulate(map(len, pieces), initial=start))
        )
        return start + len(spelled)
    end, length = start, 0
    while length < len(spelled) and end < len(text):
        length += len(_spell(text[end], hyphen))
        end += 1
    escaped, source = _escape_with_sources(text, start, end, hyphen)
    assert escaped == spelled, (text[start:end], pieces)
    at = 0
    for piece, token_id, span in zip(pieces, ids, spans, strict=True):
        expected = (source[at], source[at + len(piece) - 1] + 1)
        if token_id == UNK_ID:
            assert span[0] == expected[0] and span[1] <= expected[1], (text, pieces)
        else:
            assert span == expected, (text[start:end], pieces)
        at += len(piece)
    return end


def _escape_with_sources(text: str, start: int, end: int, hyphen: bool) -> tuple[str, list[int]]:
    """Moses' spelling of ``text[start:end]`` and, per output character, its source index."""
    out: list[str] = []
    source: list[int] = []
    for index in range(start, end):
        spelled = _spell(text[index], hyphen)
        out.append(spelled)
        source += [index] * len(spelled)
    return "".join(out), source


def _spell(char: str, hyphen: bool) -> str:
    return "@-@" if hyphen else MOSES_ESCAPES.get(char, char)


def reference_ids(slow: BioGptTokenizer, text: str) -> list[int]:
    """``slow(text)["input_ids"]`` by the public steps ``encode`` takes, minus its per-call
    overhead (a quarter of the reference's time on short sentences)."""
    return slow.build_inputs_with_special_tokens(slow.convert_tokens_to_ids(slow.tokenize(text)))


def assert_same_as_slow(fast, slow, texts: list[str], check: bool = True) -> None:
    expected = [reference_ids(slow, text) for text in texts]
    got = fast(texts, return_offsets_mapping=True)
    mismatches = [t for t, e, g in zip(texts, expected, got["input_ids"], strict=True) if e != g]
    assert not mismatches, f"{len(mismatches)} of {len(texts)} differ, e.g. {mismatches[:3]}"
    if check:
        for i, text in enumerate(texts):
            check_offsets(
                fast, slow, text, got["input_ids"][i], got["offset_mapping"][i], got.word_ids(i)
            )


# --- the real corpus ----------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("part", ["documents", "sentences", "conll"])
def test_bc5cdr_identical_ids_and_offsets(fast, slow, bc5cdr, part: str) -> None:
    """All of BC5CDR train + dev: 2,000 titles/abstracts, 9,176 regex-split sentences and
    9,141 IOB sentences (tokens joined by spaces). No sampling: the slow reference takes
    about 20 s for all of it."""
    assert_same_as_slow(fast, slow, bc5cdr[part])


@pytest.mark.shared_data
def test_large_vocabulary_matches_on_a_sample(shared_data, bc5cdr, tmp_path) -> None:
    """BioGPT-Large's vocabulary (57,717 ids): every 20th document and IOB sentence (100 +
    457), plus the edge cases. Sampled: the base test already covers Moses in full, and only
    BPE and the vocabulary differ here."""
    large = shared_data / "biogpt_vocab" / "large"
    vocab_file, merges_file = fairseq_to_hub(large, tmp_path)
    slow_large = BioGptTokenizer(str(vocab_file), str(merges_file))
    fast_large = BioGptTokenizerFast.from_fairseq(large)
    assert len(fast_large) == len(slow_large) == 57_717
    sample = bc5cdr["documents"][::20] + bc5cdr["conll"][::20] + EDGE_CASES
    assert_same_as_slow(fast_large, slow_large, sample)


# --- hand-written cases -------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases(fast, slow, text: str) -> None:
    assert_same_as_slow(fast, slow, [text])


@pytest.mark.shared_data
@pytest.mark.parametrize("text", MANGLED_CASES)
def test_inputs_moses_mangles_keep_ids_and_bounds(fast, slow, text: str) -> None:
    assert_same_as_slow(fast, slow, [text], check=False)
    encoding = fast(text, return_offsets_mapping=True)
    spans = encoding["offset_mapping"][1:]
    assert all(0 <= a <= b <= len(text) for a, b in spans)
    assert all(x[0] <= y[0] for x, y in zip(spans, spans[1:], strict=False))


@pytest.mark.shared_data
def test_offsets_of_a_known_sentence(fast) -> None:
    text = "IL-2 & TNF-α (5 mg/kg)"
    encoding = fast(text, return_offsets_mapping=True)
    pieces = [text[a:b] for a, b in encoding["offset_mapping"]]
    assert pieces == ["", "IL", "-", "2", "&", "TNF", "-", "α", "(", "5", "mg", "/", "kg", ")"]
    assert fast.convert_ids_to_tokens(encoding["input_ids"])[2] == "@-@</w>"
    assert fast.convert_ids_to_tokens(encoding["input_ids"])[4] == "&amp;</w>"
    assert encoding.word_ids() == [None, *range(13)]


@pytest.mark.shared_data
def test_subword_pieces_get_consecutive_spans(fast) -> None:
    text = "22-oxacalcitriol suppresses"
    encoding = fast(text, return_offsets_mapping=True)
    words = encoding.word_ids()
    spans = [span for span, w in zip(encoding["offset_mapping"], words, strict=True) if w == 2]
    assert [text[a:b] for a, b in spans] == ["ox", "ac", "al", "cit", "riol"]
    assert all(x[1] == y[0] for x, y in zip(spans, spans[1:], strict=False))


@pytest.mark.shared_data
def test_random_strings_keep_identical_ids(fast, slow, monkeypatch) -> None:
    """Fuzz: strings drawn from the characters Moses treats specially, including control
    characters, dot markers and merge fragments outside the vocabulary. Rust's threads are
    forced on here, so the pre-tokenizer also runs from several threads at once."""
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")
    alphabet = list("aAbe.,'-&;#@[]<>|\"`/()0159 \t\nβé–") + [
        "DOT",
        "MULTI",
        "\x01",
        "&apos",
        "evertheless",
        "No.",
    ]
    rng = random.Random(20240521)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(1, 25))) for _ in range(1000)]
    assert_same_as_slow(fast, slow, texts, check=False)


# --- the transformers interface -------------------------------------------------------------


@pytest.mark.shared_data
def test_batch_padding_truncation_tensors(fast, slow) -> None:
    texts = ["Lithium toxicity.", "IL-2 & TNF-α levels rose in 5 patients."]
    batch = fast(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
    reference = slow(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
    assert batch["input_ids"].tolist() == reference["input_ids"].tolist()
    assert batch["attention_mask"].tolist() == reference["attention_mask"].tolist()
    assert batch.word_ids(0)[-1] is None  # padding
    pairs = fast(["a b"], ["c"])["input_ids"]
    assert pairs == slow(["a b"], ["c"])["input_ids"] == [[2, 14, 787, 2, 457]]


@pytest.mark.shared_data
def test_batches_leave_the_thread_setting_alone(fast, monkeypatch) -> None:
    monkeypatch.delenv("TOKENIZERS_PARALLELISM", raising=False)
    fast(["a b", "c"])
    assert "TOKENIZERS_PARALLELISM" not in os.environ
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")
    fast(["a b", "c"])
    assert os.environ["TOKENIZERS_PARALLELISM"] == "true"


@pytest.mark.shared_data
def test_pre_split_words_map_to_word_ids(fast, slow) -> None:
    words = ["IL-2", "levels", "(", "5", "mg/kg", ")"]
    encoding = fast(words, is_split_into_words=True)
    assert encoding["input_ids"] == slow(words, is_split_into_words=True)["input_ids"]
    assert encoding.word_ids() == [None, 0, 0, 0, 1, 2, 3, 4, 4, 4, 5]


@pytest.mark.shared_data
def test_special_tokens_in_text_and_decode(fast, slow) -> None:
    text = "a</s>b <unk> x & y"
    assert fast(text)["input_ids"] == slow(text)["input_ids"]
    ids = slow("Parkinson's disease & IL-2.")["input_ids"]
    assert fast.decode(ids, skip_special_tokens=True) == slow.decode(ids, skip_special_tokens=True)


@pytest.mark.shared_data
def test_save_load_round_trip_with_added_tokens(base_dir, tmp_path) -> None:
    tokenizer = BioGptTokenizerFast.from_fairseq(base_dir)
    tokenizer.add_tokens(["@CHEMICAL$", "@DISEASE$"])
    assert tokenizer.convert_tokens_to_ids(["@CHEMICAL$", "@DISEASE$"]) == [42_384, 42_385]
    assert len(tokenizer) == 42_386 and tokenizer.vocab_size == 42_384
    tokenizer.save_pretrained(tmp_path)
    assert not (tmp_path / "tokenizer.json").exists()  # it could not hold the Moses step
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "BioGptTokenizer"
    text = "@CHEMICAL$ induced @DISEASE$ in rats."
    reloaded = BioGptTokenizerFast.from_pretrained(tmp_path)
    plain = AutoTokenizer.from_pretrained(tmp_path)  # transformers alone: the slow one
    assert isinstance(plain, BioGptTokenizer)
    expected = plain(text)["input_ids"]
    assert reloaded(text)["input_ids"] == tokenizer(text)["input_ids"] == expected
    assert pickle.loads(pickle.dumps(reloaded))(text)["input_ids"] == expected


@pytest.mark.shared_data
def test_hub_files_load_the_same_tokenizer(fast, hub_files, base_dir) -> None:
    vocab_file, merges_file = hub_files
    vocab = json.loads(vocab_file.read_text())
    assert len(vocab) == 42_384
    first = [("<s>", 0), ("<pad>", 1), ("</s>", 2), ("<unk>", 3), (".</w>", 4), ("of</w>", 5)]
    assert sorted(vocab.items(), key=lambda item: item[1])[:6] == first
    assert read_hub_vocab(vocab_file, merges_file) == (
        read_fairseq_dict(base_dir / "dict.txt"),
        read_bpecodes(base_dir / "bpecodes"),
    )
    from_hub = BioGptTokenizerFast(str(vocab_file), str(merges_file))
    text = "Tricuspid valve regurgitation and lithium carbonate toxicity in a newborn infant."
    assert from_hub(text)["input_ids"] == fast(text)["input_ids"]


# --- small units (no shared data) ------------------------------------------------------------


def test_fairseq_dict_errors_name_file_and_line(tmp_path) -> None:
    path = tmp_path / "dict.txt"
    path.write_text("the 10\nof@@ 5\nbroken\n")
    with pytest.raises(InputError, match=r"dict.txt:3: expected 'token count'"):
        read_fairseq_dict(path)
    path.write_text("the 10\nof@@ 5\n")
    vocab = read_fairseq_dict(path)
    assert vocab == {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "the</w>": 4, "of": 5}
    with pytest.raises(InputError, match="cannot read"):
        read_bpecodes(tmp_path / "missing")


def test_escape_and_unescape_are_inverse() -> None:
    text = "a&b|c<d>e'f\"g[h]i &amp;"
    assert escape(text) == "a&amp;b&#124;c&lt;d&gt;e&apos;f&quot;g&#91;h&#93;i &amp;amp;"
    assert unescape(escape(text)) == text
    assert unescape("@-@") == "-"


def test_align_undoes_moses_rewrites() -> None:
    moses = FastMosesTokenizer()
    text = "IL-2 &amp; 'x' a\x01b DOTMULTI"
    tokens = moses.tokenize_biogpt(text)
    assert tokens == ["IL", "@-@", "2", "&amp;", "amp", ";", "&apos;", "x", "&apos;", "ab", "."]
    spans = align(text, tokens)
    assert moses_spans(text, moses)[3] == MosesSpan(5, 6, "&amp;")
    assert [text[a:b] for a, b in spans] == [
        "IL", "-", "2", "&", "amp", ";", "'", "x", "'", "a\x01b", "DOTMULTI",
    ]  # fmt: skip
