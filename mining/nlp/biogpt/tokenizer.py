"""A fast, offset-aware BioGPT tokenizer: ``transformers.BioGptTokenizer``'s ids, plus offsets.

The stock ``BioGptTokenizer`` is a slow Python tokenizer (Moses, then BPE) that reports no
character offsets and no ``word_ids()``, so it cannot drive token classification
(transformers issue #21786). :class:`BioGptTokenizerFast` is a real
``PreTrainedTokenizerFast``: the Rust ``tokenizers`` library runs BPE, special tokens,
truncation and padding, and returns ``Encoding`` objects, so offsets, ``word_ids()``,
``char_to_token()`` and transformers pipelines work unchanged. Only the Moses step stays in
Python, as a custom pre-tokenizer: Moses is a cascade of context rules (abbreviation lists,
English apostrophes, number commas) followed by XML escaping, which no serialisable
``tokenizers`` component reproduces exactly.

Two details keep the ids identical to BioGPT's own:

* BioGPT's merge list builds some symbols its vocabulary lacks (``&apos`` on the way to
  ``&apos;``, ``-@`` on the way to ``@-@``). Rust BPE refuses merges into unknown symbols, so
  those get private ids above the vocabulary; a word whose BPE would *end* on one (where
  BioGPT says ``<unk>``) has that piece masked to an unknown character first.
* The pre-tokenizer hands BPE the escaped Moses token (``&amp;``) while each character stays
  aligned to the original text, so offsets point at ``&``, not at ``&amp;``
  (:mod:`mining.nlp.biogpt.pretokenizer`).

Model folders keep the hub layout (``vocab.json`` + ``merges.txt``, ``tokenizer_class``
``BioGptTokenizer``): plain transformers loads them as the slow reference, BioMine as this.

Throughput: about 4x the slow tokenizer on BC5CDR abstracts (``benchmarks/tokenizer.py``).
Batches run on one Rust thread unless ``TOKENIZERS_PARALLELISM`` says otherwise: the Moses
step holds the GIL, so Rust's worker threads would only queue for it (a third slower).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sacremoses import MosesDetokenizer
from tokenizers import Tokenizer, models
from tokenizers import pre_tokenizers as rust_pre_tokenizers
from tokenizers.processors import TemplateProcessing
from transformers import PreTrainedTokenizerFast
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

from mining.errors import ModelError
from mining.nlp.biogpt.pretokenizer import MosesPreTokenizer, OutOfVocabPieces, bpe_model
from mining.nlp.biogpt.vocab import (
    WORD_END,
    Merges,
    Vocab,
    read_bpecodes,
    read_fairseq_dict,
    read_hub_vocab,
    write_hub_vocab,
)


class BioGptTokenizerFast(PreTrainedTokenizerFast):
    """BioGPT tokenizer with ``transformers.BioGptTokenizer``'s ids and original-text offsets.

    Load it like any tokenizer from a model folder or hub-layout files
    (``BioGptTokenizerFast.from_pretrained(path)``) or from BioGPT's fairseq files
    (:meth:`from_fairseq`). Sequences start with ``</s>`` as BioGPT's do; the offsets of
    special tokens are ``(0, 0)``; ``word_ids()`` number the Moses tokens (or, with
    ``is_split_into_words=True``, the words given). Added tokens get the ids
    ``BioGptTokenizer`` gives them, and ``save_pretrained`` writes its files.
    """

    vocab_files_names = {"vocab_file": "vocab.json", "merges_file": "merges.txt"}
    model_input_names = ["input_ids", "attention_mask"]

    def __init__(
        self,
        vocab_file: str | None = None,
        merges_file: str | None = None,
        unk_token: str = "<unk>",
        bos_token: str = "<s>",
        eos_token: str = "</s>",
        sep_token: str = "</s>",
        pad_token: str = "<pad>",
        *,
        vocab: Vocab | None = None,
        merges: Merges | None = None,
        **kwargs: Any,
    ) -> None:
        for key in ("tokenizer_object", "tokenizer_file", "vocab", "merges"):
            kwargs.pop(key, None)
        if vocab is None or merges is None:
            if vocab_file is None or merges_file is None:
                raise ModelError("BioGptTokenizerFast", "needs vocab.json + merges.txt")
            vocab, merges = read_hub_vocab(vocab_file, merges_file)
        self._base_vocab, self._merges = dict(vocab), list(merges)
        self._vocab = dict(vocab)  # + tokens added later, at the ids the slow tokenizer gives
        self._tokenizer = Tokenizer(models.BPE())
        self._install_model()
        self._detokenizer = MosesDetokenizer(lang="en")
        super().__init__(
            vocab_file=vocab_file,
            merges_file=merges_file,
            unk_token=unk_token,
            bos_token=bos_token,
            eos_token=eos_token,
            sep_token=sep_token,
            pad_token=pad_token,
            **kwargs,
        )

    @classmethod
    def from_fairseq(cls, fairseq_dir: str | Path, **kwargs: Any) -> BioGptTokenizerFast:
        """Build from BioGPT's own ``dict.txt`` + ``bpecodes`` (the same ids as the hub files)."""
        fairseq_dir = Path(fairseq_dir)
        vocab = read_fairseq_dict(fairseq_dir / "dict.txt")
        return cls(vocab=vocab, merges=read_bpecodes(fairseq_dir / "bpecodes"), **kwargs)

    @classmethod
    def convert_to_native_format(cls, **kwargs: Any) -> dict[str, Any]:
        """Keep the file paths: the backend is built here, never from a ``tokenizer.json``."""
        kwargs.pop("tokenizer_file", None)
        return kwargs

    def _install_model(self) -> None:
        """(Re)build the Rust BPE over the current vocabulary and attach the Moses step."""
        model, limit = bpe_model(self._vocab, self._merges)
        self._tokenizer.model = model
        unknown = OutOfVocabPieces(model, limit, self._vocab, self._merges)
        self._pre_tokenizer = MosesPreTokenizer(unknown)
        self._attach_pre_tokenizer()

    def _attach_pre_tokenizer(self) -> None:
        moses = rust_pre_tokenizers.PreTokenizer.custom(self._pre_tokenizer)
        words = rust_pre_tokenizers.Split(" ", behavior="removed")
        self._tokenizer.pre_tokenizer = rust_pre_tokenizers.Sequence([moses, words])

    def _encode_plus(self, *args: Any, **kwargs: Any) -> Any:
        """Encode as ``PreTrainedTokenizerFast`` does, on one Rust thread (see module doc)."""
        with _one_rust_thread():
            return super()._encode_plus(*args, **kwargs)

    # --- vocabulary: BioGPT's, without the private merge-step ids ---------------------------

    @property
    def vocab_size(self) -> int:
        """Size of the base vocabulary, as ``BioGptTokenizer.vocab_size``."""
        return len(self._base_vocab)

    def __len__(self) -> int:
        """Base vocabulary plus added tokens: the embedding rows a model needs."""
        return len(self._vocab)

    def get_vocab(self) -> dict[str, int]:
        """Token -> id for the vocabulary and added tokens."""
        return dict(self._vocab)

    def _convert_token_to_id_with_added_voc(self, token: str) -> int:
        index = self._vocab.get(token)
        return index if index is not None else self._vocab[str(self.unk_token)]

    def _add_tokens(self, new_tokens: list[Any], special_tokens: bool = False) -> int:
        """Add tokens at the ids ``BioGptTokenizer`` would give them (right after the vocabulary).

        Rust would number them after the private merge-step ids instead, so new tokens go into
        the BPE vocabulary first; Rust then reuses those ids.
        """
        fresh = [str(t) for t in new_tokens if str(t) not in self._vocab]
        if fresh:
            for token in dict.fromkeys(fresh):
                self._vocab[token] = len(self._vocab)
            self._install_model()
        return super()._add_tokens(new_tokens, special_tokens=special_tokens)

    # --- special tokens: "</s> A" and "</s> A </s> B", as BioGPT ---------------------------

    def update_post_processor(self) -> None:
        """Install BioGPT's template instead of transformers' generic bos/eos one."""
        sep, sep_id = str(self.sep_token), self.sep_token_id
        self._tokenizer.post_processor = TemplateProcessing(
            single=f"{sep}:0 $A:0",
            pair=f"{sep}:0 $A:0 {sep}:1 $B:1",
            special_tokens=[(sep, sep_id)],
        )

    def build_inputs_with_special_tokens(
        self, token_ids_0: list[int], token_ids_1: list[int] | None = None
    ) -> list[int]:
        """``</s> A`` or ``</s> A </s> B``, exactly as ``BioGptTokenizer``."""
        sep = [self.sep_token_id]
        return sep + token_ids_0 if token_ids_1 is None else sep + token_ids_0 + sep + token_ids_1

    # --- decoding: BPE joined, then Moses-detokenized, as BioGPT --------------------------

    def convert_tokens_to_string(self, tokens: list[str]) -> str:
        """Undo BPE and Moses as ``BioGptTokenizer.convert_tokens_to_string`` does."""
        words = "".join(t.replace(" ", "").replace(WORD_END, " ") for t in tokens).split()
        return self._detokenizer.detokenize(words)

    def _decode(
        self,
        token_ids: int | list[int],
        skip_special_tokens: bool = False,
        clean_up_tokenization_spaces: bool | None = None,
        **kwargs: Any,
    ) -> str:
        ids = [token_ids] if isinstance(token_ids, int) else token_ids
        text = self.convert_tokens_to_string(
            self.convert_ids_to_tokens(ids, skip_special_tokens=skip_special_tokens)
        )
        if clean_up_tokenization_spaces is None:
            clean_up_tokenization_spaces = self.clean_up_tokenization_spaces
        return self.clean_up_tokenization(text) if clean_up_tokenization_spaces else text

    # --- saving and pickling: hub files, never a tokenizer.json -----------------------------

    def save_vocabulary(
        self, save_directory: str, filename_prefix: str | None = None
    ) -> tuple[str, str]:
        """Write the base vocabulary as ``vocab.json`` + ``merges.txt`` (not added tokens)."""
        files = write_hub_vocab(self._base_vocab, self._merges, save_directory, filename_prefix)
        return str(files[0]), str(files[1])

    def _save_pretrained(
        self,
        save_directory: str | Any,
        file_names: tuple[str, ...],
        legacy_format: bool | None = None,
        filename_prefix: str | None = None,
    ) -> tuple[str, ...]:
        """Save the slow tokenizer's files only: a ``tokenizer.json`` cannot hold the Moses step,
        and one without it would load elsewhere as a tokenizer that silently differs."""
        return PreTrainedTokenizerBase._save_pretrained(
            self, save_directory, file_names, legacy_format=None, filename_prefix=filename_prefix
        )

    @property
    def can_save_slow_tokenizer(self) -> bool:
        """Saved folders name ``BioGptTokenizer`` as their class (see :meth:`_save_pretrained`)."""
        return True

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the Rust backend with a stand-in pre-tokenizer (a Python one cannot serialise)."""
        state = self.__dict__.copy()
        self._tokenizer.pre_tokenizer = rust_pre_tokenizers.WhitespaceSplit()
        try:
            state["_tokenizer"] = self._tokenizer.to_str()
        finally:
            self._attach_pre_tokenizer()
        del state["_pre_tokenizer"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the backend and re-attach the Moses pre-tokenizer."""
        state = dict(state)
        backend = Tokenizer.from_str(state.pop("_tokenizer"))
        self.__dict__.update(state)
        self._tokenizer = backend
        self._install_model()


@contextmanager
def _one_rust_thread() -> Iterator[None]:
    """Turn Rust's thread pool off for one call, unless the user has set it either way.

    ``tokenizers`` reads ``TOKENIZERS_PARALLELISM`` at every batch call; there is no
    per-tokenizer switch. Other tokenizers encoding in other threads meanwhile also run on one
    thread, which changes their speed, never their output.
    """
    if "TOKENIZERS_PARALLELISM" in os.environ:
        yield
        return
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        yield
    finally:
        os.environ.pop("TOKENIZERS_PARALLELISM", None)
