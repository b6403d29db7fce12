"""Relation candidates: which pairs, which sentences, and the marked text the classifier reads."""

from __future__ import annotations

from dataclasses import replace

from mining.nlp.relations.candidates import candidates, marked_text, sentence_spans
from mining.nlp.relations.tasks import CDR, CHEMPROT, DDI
from mining.types import Document, Entity

TEXT = "Tamoxifen inhibits CYP2D6. Aspirin binds COX-1 and COX-2. Warfarin was stopped."


def mention(text: str, word: str, label: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Entity("d", start, start + len(word), word, label)


def doc_and_entities():
    doc = Document("d", TEXT)
    ents = [
        mention(TEXT, "Tamoxifen", "Chemical"),
        mention(TEXT, "CYP2D6", "Gene"),
        mention(TEXT, "Aspirin", "Chemical"),
        mention(TEXT, "COX-1", "Gene"),
        mention(TEXT, "COX-2", "Gene"),
        mention(TEXT, "Warfarin", "Chemical"),
    ]
    return doc, ents


def pairs(cands):
    return [(c.head.text, c.tail.text) for c in cands]


def test_chemprot_pairs_chemicals_with_genes_within_a_sentence():
    doc, ents = doc_and_entities()
    cands = candidates(doc, ents, CHEMPROT)
    assert pairs(cands) == [("Tamoxifen", "CYP2D6"), ("Aspirin", "COX-1"), ("Aspirin", "COX-2")]
    assert TEXT[slice(*cands[0].span)] == "Tamoxifen inhibits CYP2D6."


def test_symmetric_task_gives_each_unordered_pair_once_earlier_first():
    doc, ents = doc_and_entities()
    two_sentences = replace(DDI, max_sentences=2)
    assert pairs(candidates(doc, ents, two_sentences)) == [
        ("Tamoxifen", "Aspirin"),
        ("Aspirin", "Warfarin"),
    ]
    assert candidates(doc, ents, DDI) == []  # one chemical per sentence


def test_pairs_may_span_sentences_when_the_task_allows():
    text = "Cocaine was given. Seizures followed. Much later, rats had colitis."
    doc = Document("d", text)
    ents = [
        mention(text, "Cocaine", "Chemical"),
        mention(text, "Seizures", "Disease"),
        mention(text, "colitis", "Disease"),
    ]
    cands = candidates(doc, ents, CDR)  # two sentences at most
    assert pairs(cands) == [("Cocaine", "Seizures")]
    assert text[slice(*cands[0].span)] == "Cocaine was given. Seizures followed."


def test_overlapping_mentions_are_not_paired():
    text = "The insulin receptor binds insulin."
    doc = Document("d", text)
    ents = [
        mention(text, "insulin receptor", "Gene"),
        mention(text, "insulin", "Chemical"),  # inside the gene mention
        mention(text, "insulin", "Chemical", nth=1),
    ]
    assert pairs(candidates(doc, ents, CHEMPROT)) == [("insulin", "insulin receptor")]
    (cand,) = candidates(doc, ents, CHEMPROT)
    assert cand.head.start == text.rindex("insulin")


def test_marked_text_wraps_both_mentions_with_typed_markers():
    doc, ents = doc_and_entities()
    cand = candidates(doc, ents, CHEMPROT)[1]
    assert marked_text(TEXT, cand, CHEMPROT) == (
        "@ * chemical * Aspirin @ binds # ^ gene ^ COX-1 # and COX-2."
    )


def test_marked_text_when_the_tail_comes_first():
    text = "CYP2D6 metabolises tamoxifen."
    doc = Document("d", text)
    ents = [mention(text, "CYP2D6", "Gene"), mention(text, "tamoxifen", "Chemical")]
    (cand,) = candidates(doc, ents, CHEMPROT)
    assert marked_text(text, cand, CHEMPROT) == (
        "# ^ gene ^ CYP2D6 # metabolises @ * chemical * tamoxifen @."
    )


def test_corpus_sentences_win_over_the_splitter():
    doc = Document("d", "", "A b. C d.", meta={"sentences": [[1, 10]]})
    assert sentence_spans(doc) == [(1, 10)]
    assert sentence_spans(Document("d", "A b.", "C d.")) == [(0, 4), (5, 9)]


def test_ddi_skips_pairs_of_the_same_drug_name():
    text = "Warfarin and aspirin: warfarin doses fell."
    doc = Document("d", text)
    ents = [
        mention(text, "Warfarin", "Chemical"),
        mention(text, "aspirin", "Chemical"),
        mention(text, "warfarin", "Chemical"),
    ]
    assert pairs(candidates(doc, ents, DDI)) == [("Warfarin", "aspirin"), ("aspirin", "warfarin")]
    kept = replace(DDI, skip_same_text=False)
    assert ("Warfarin", "warfarin") in pairs(candidates(doc, ents, kept))


def test_a_sentence_without_end_stays_local_and_costs_its_size():
    """A broken record of one 40,000-character "sentence" is read in pieces of at most
    MAX_SENTENCE_CHARS: candidates grow with its length, not with its square."""
    from mining.nlp.relations.candidates import MAX_SENTENCE_CHARS, cut_long

    unit = "tamoxifen inhibits cyp2d6 and "  # 30 characters, one pair
    text = unit * 1_334
    ents = []
    for k in range(0, len(text) - len(unit) + 1, len(unit)):
        ents.append(Entity("d", k, k + 9, "tamoxifen", "Chemical"))
        ents.append(Entity("d", k + 19, k + 25, "cyp2d6", "Gene"))
    doc = Document("d", text, meta={"sentences": [[0, len(text)]]})
    pieces = list(cut_long(text, (0, len(text))))
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in pieces) and len(pieces) >= 20
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    found = candidates(doc, ents, CHEMPROT)
    per_piece = (MAX_SENTENCE_CHARS // len(unit) + 1) ** 2
    assert len(ents) // 2 <= len(found) <= len(pieces) * per_piece  # not 1,334^2
    assert all(c.span[1] - c.span[0] <= MAX_SENTENCE_CHARS for c in found)
