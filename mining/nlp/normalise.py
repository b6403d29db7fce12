"""Concept normalisation: give Chemical and Disease mentions a MeSH concept id.

Why: relations and the app aggregate by concept, so "cisplatin", "Cisplatin" and "CDDP"
must meet under one key (MeSH D002945). The dictionary comes from the gold mentions of
BC5CDR and NCBI disease (``mining.train.build_concept_dictionary``): a lookup, not a model,
in the spirit of the string-match baselines of the BioCreative V CDR task (Wei et al. 2015).

Matching order, first hit wins:

1. ``exact``: (label, mention text) as seen in the training corpora;
2. ``normalised``: (label, ``normalise_text(text)``): case, Unicode forms, punctuation,
   hyphens, spacing and a plural "s" no longer matter;
3. ``abbreviation``: a short form defined in the abstract ("cisplatin (CDDP)", Schwartz &
   Hearst 2003, ``mining.nlp.abbreviations``) takes the concept of its long form;
4. ``unmatched``: a text key ``text:<label>:<normalised>``, so unnormalised mentions still
   aggregate by their normalised text.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from mining.errors import InputError
from mining.nlp.abbreviations import find_abbreviations
from mining.nlp.component import CONCEPTS, ENTITIES, Component
from mining.types import Document, Entity

FILENAME = "concepts.tsv.gz"
HEADER = ("label", "text", "concept_id", "count")
TEXT_KEY = "text:"

EXACT, NORMALISED, ABBREVIATION, UNMATCHED = "exact", "normalised", "abbreviation", "unmatched"
METHODS = (EXACT, NORMALISED, ABBREVIATION, UNMATCHED)

_TOKEN = re.compile(r"[^\W_]+")


class Match(NamedTuple):
    concept_id: str
    method: str  # one of METHODS


def singular(token: str) -> str:
    """Drop one plural "s" ("tumours" -> "tumour"), but not from short tokens ("ms", "has")
    or from "-ss"/"-us"/"-is" endings ("loss", "lupus", "nephritis"), which are not plurals."""
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def normalise_text(text: str) -> str:
    """The matching key of a mention: NFKC, lower case, tokens of letters and digits with a
    plural "s" dropped, joined without separators, so "Beta-blockers", "beta blocker" and
    "betablocker" meet. Empty when the mention has no letter or digit."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(singular(t) for t in _TOKEN.findall(folded))


# Text keys longer than this (UTF-8 bytes) are cut and end in a hash of the whole key: long
# unmatched IUPAC names must still fit the store's concept columns on every backend.
MAX_KEY_BYTES = 300


def text_key(label: str, text: str) -> str:
    """The concept key of an unmatched mention: it still aggregates with the same text."""
    key = f"{TEXT_KEY}{label}:{normalise_text(text) or text.strip().casefold()}"
    raw = key.encode()
    if len(raw) <= MAX_KEY_BYTES:
        return key
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return f"{raw[: MAX_KEY_BYTES - 17].decode('utf-8', 'ignore')}#{digest}"


def most_frequent(counts: Iterable[tuple[str, int]]) -> str:
    """The id seen most often; ties go to the smaller id, so builds are reproducible."""
    return min(counts, key=lambda kv: (-kv[1], kv[0]))[0]


def table_source(folder: str | Path, sha256: str) -> str:
    """A table's ``source``: its folder's name and the start of its file's hash."""
    return f"{Path(folder).resolve().name}@{sha256[:12]}"


class ConceptNormaliser(Component):
    """A (label, text) -> concept dictionary with exact and normalised lookups; as a pipeline
    component it fills the concept ids of the entities the taggers before it found."""

    kind = "concept normaliser"
    requires = (ENTITIES,)
    assigns = (CONCEPTS,)

    def __init__(self, rows: Iterable[tuple[str, str, str, int]], source: str = "concepts") -> None:
        # ``source`` names this table in the store's processed marks: another table means
        # other concept ids, so ``biomine run`` normalises the stored documents again.
        self.source = source
        exact: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        loose: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for label, text, concept, count in rows:
            exact[label, text][concept] += count
            key = normalise_text(text)
            if key:
                loose[label, key][concept] += count
        self.exact = {k: most_frequent(c.items()) for k, c in exact.items()}
        self.loose = {k: most_frequent(c.items()) for k, c in loose.items()}

    @classmethod
    def from_pretrained(
        cls, path_or_id: str | Path | None = None, *, device=None, dtype=None
    ) -> ConceptNormaliser:
        """A lookup table, not a network: ``device`` and ``dtype`` do not apply."""
        return cls.load(path_or_id)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> ConceptNormaliser:
        """Read ``folder/concepts.tsv.gz`` (label, text, concept_id, count; a header row;
        default: the shipped ``concepts-mesh``); the table's ``source`` is the folder name and
        a hash of the file."""
        if folder is None:
            from mining.shipped_models import default_concepts

            folder = default_concepts()
        path = Path(folder) / FILENAME
        try:
            data = path.read_bytes()  # read once: hashed for ``source``, then parsed
            digest = hashlib.sha256(data).hexdigest()
            with io.TextIOWrapper(
                gzip.GzipFile(fileobj=io.BytesIO(data)), "utf-8", newline=""
            ) as f:
                reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                header = next(reader, None)
                if tuple(header or ()) != HEADER:
                    raise InputError(str(path), f"not a concept dictionary (header {header})")
                rows = [(r[0], r[1], r[2], int(r[3])) for r in reader]
        except (OSError, ValueError, IndexError, EOFError) as error:
            raise InputError(str(path), f"cannot read concept dictionary: {error}") from error
        return cls(rows, table_source(folder, digest))

    def __len__(self) -> int:
        return len(self.exact)

    def lookup(self, label: str, text: str) -> Match | None:
        """Steps 1 and 2: the dictionary's concept for one mention, or None."""
        concept = self.exact.get((label, text))
        if concept is not None:
            return Match(concept, EXACT)
        concept = self.loose.get((label, normalise_text(text)))
        return Match(concept, NORMALISED) if concept is not None else None

    def match(self, text: str, entities: Sequence[Entity]) -> list[Match]:
        """One ``Match`` per entity (same order), following the four steps above."""
        found = [self.lookup(e.label, e.text) for e in entities]
        inherited = self._abbreviations(text, entities, found)
        return [
            m or inherited.get((e.label, e.text)) or Match(text_key(e.label, e.text), UNMATCHED)
            for e, m in zip(entities, found, strict=True)
        ]

    def _abbreviations(
        self, text: str, entities: Sequence[Entity], found: Sequence[Match | None]
    ) -> dict[tuple[str, str], Match]:
        """(label, short form) -> the concept of its long form, for short forms defined in
        ``text``. The long form's concept is the one of a tagged entity ending where the long
        form ends (as in ``abbreviations.propagate``), else the dictionary's for its text.
        When neither knows it, the short form still takes the long form's text key
        (``unmatched``), so "STZ" and "streptozotocin" aggregate together."""
        out: dict[tuple[str, str], Match] = {}
        for ab in find_abbreviations(text):
            short = text[ab.short[0] : ab.short[1]]
            ls, le = ab.long
            tagged = [
                (e, m)
                for e, m in zip(entities, found, strict=True)
                if e.end == le and ls <= e.start < le
            ]
            for label in {e.label for e in entities if e.text == short}:
                if (label, short) in out:
                    continue
                same = [(e, m) for e, m in tagged if e.label == label]
                hit = next((m for _, m in same if m is not None), None)
                hit = hit or self.lookup(label, text[ls:le])
                if hit is not None:
                    out[label, short] = Match(hit.concept_id, ABBREVIATION)
                elif same:
                    out[label, short] = Match(text_key(label, same[0][0].text), UNMATCHED)
        return out

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for doc in docs:
            doc.entities = self.normalise(doc.text, doc.entities)
            yield doc

    def normalise(self, text: str, entities: Sequence[Entity]) -> list[Entity]:
        """Copies of ``entities`` (mentions of the document whose text is ``text``) with
        ``concept_id`` set: a MeSH id where the dictionary knows one, else a text key."""
        matches = self.match(text, entities)
        return [replace(e, concept_id=m.concept_id) for e, m in zip(entities, matches, strict=True)]
