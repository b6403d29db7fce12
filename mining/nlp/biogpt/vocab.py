"""BioGPT's vocabulary files: the fairseq originals and the model-hub layout derived from them.

BioGPT ships as fairseq ``dict.txt`` + ``bpecodes``; Hugging Face checkpoints carry
``vocab.json`` + ``merges.txt`` instead. Both describe the same ids (four specials, then the
dictionary in order, word-final pieces spelled ``token</w>`` rather than continuation pieces
spelled ``token@@``), so BioMine reads either and can write the hub pair from the fairseq one.
That last step is what lets tests build the reference ``transformers.BioGptTokenizer``
offline, from the real vocabulary.
"""

from __future__ import annotations

import json
from pathlib import Path

from mining.errors import InputError

SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0..3, as fairseq's Dictionary adds them
WORD_END = "</w>"
CONTINUATION = "@@"
OVERWRITE_FLAG = "#fairseq:overwrite"

Vocab = dict[str, int]
Merges = list[tuple[str, str]]


def read_fairseq_dict(path: str | Path) -> Vocab:
    """Token ids of a fairseq ``dict.txt``, spelled as in the hub's ``vocab.json``.

    ``tok@@`` (continues) becomes ``tok``; ``tok`` (ends a word) becomes ``tok</w>``.
    """
    vocab: Vocab = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for number, line in _read_lines(path):
        token, overwrite = _dict_token(path, number, line)
        hub = token[: -len(CONTINUATION)] if token.endswith(CONTINUATION) else token + WORD_END
        if hub in vocab and not overwrite:
            raise InputError(str(path), f"duplicate token {token!r}", number)
        vocab.setdefault(hub, len(vocab))  # an overwrite keeps the token's first id, as in fairseq
    return vocab


def _dict_token(path: str | Path, number: int, line: str) -> tuple[str, bool]:
    fields = line.rstrip().rsplit(" ", 1)
    overwrite = len(fields) == 2 and fields[1] == OVERWRITE_FLAG
    if overwrite:
        fields = fields[0].rsplit(" ", 1)
    if len(fields) != 2 or not fields[1].isdigit():
        raise InputError(str(path), f"expected 'token count', got {line!r}", number)
    return fields[0], overwrite


def read_bpecodes(path: str | Path) -> Merges:
    """Merge list of a fastBPE ``bpecodes`` file (``left right count`` lines, in merge order)."""
    merges: Merges = []
    for number, line in _read_lines(path):
        fields = line.split()
        if len(fields) != 3:
            raise InputError(str(path), f"expected 'left right count', got {line!r}", number)
        merges.append((fields[0], fields[1]))
    return merges


def read_hub_vocab(vocab_file: str | Path, merges_file: str | Path) -> tuple[Vocab, Merges]:
    """``vocab.json`` + ``merges.txt`` parsed exactly as ``transformers.BioGptTokenizer`` does.

    That tokenizer drops the text after the last newline and, for a pair listed twice, keeps
    the later rank; matching it keeps the ids identical on odd files too.
    """
    try:
        vocab = json.loads(Path(vocab_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(str(vocab_file), f"cannot read the vocabulary: {error}") from error
    if not isinstance(vocab, dict) or not all(isinstance(i, int) for i in vocab.values()):
        raise InputError(str(vocab_file), "expected a JSON object of token -> id")
    try:
        lines = Path(merges_file).read_text(encoding="utf-8").split("\n")[:-1]
    except OSError as error:
        raise InputError(str(merges_file), f"cannot read the merges: {error}") from error
    ranks: dict[tuple[str, str], int] = {}
    for rank, line in enumerate(lines):
        fields = line.split()
        if len(fields) >= 2:
            ranks[fields[0], fields[1]] = rank
    return vocab, sorted(ranks, key=ranks.__getitem__)


def write_hub_vocab(
    vocab: Vocab, merges: Merges, directory: str | Path, prefix: str | None = None
) -> tuple[Path, Path]:
    """Write ``vocab.json`` + ``merges.txt`` as ``BioGptTokenizer.save_vocabulary`` does."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lead = f"{prefix}-" if prefix else ""
    vocab_file, merges_file = directory / f"{lead}vocab.json", directory / f"{lead}merges.txt"
    text = json.dumps(vocab, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    vocab_file.write_text(text, encoding="utf-8")
    merges_file.write_text("".join(f"{left} {right}\n" for left, right in merges), encoding="utf-8")
    return vocab_file, merges_file


def fairseq_to_hub(fairseq_dir: str | Path, directory: str | Path) -> tuple[Path, Path]:
    """Convert a fairseq BioGPT vocabulary (``dict.txt`` + ``bpecodes``) to the hub layout."""
    fairseq_dir = Path(fairseq_dir)
    vocab = read_fairseq_dict(fairseq_dir / "dict.txt")
    return write_hub_vocab(vocab, read_bpecodes(fairseq_dir / "bpecodes"), directory)


def _read_lines(path: str | Path) -> list[tuple[int, str]]:
    """Numbered non-blank lines (numbers kept for error messages)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read: {error}") from error
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
