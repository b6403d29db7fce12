"""One marked copy of a span for all its candidate pairs (``span_marking``)."""

from __future__ import annotations

import pytest

from mining.nlp.relations.candidates import Candidate, candidates, marked_text
from mining.nlp.relations.classifier import RelationClassifier
from mining.nlp.relations.span_marking import encode_span, marked_spans
from mining.nlp.relations.tasks import CHEMPROT, DDI
from mining.nlp.token_encoding import special_affixes
from mining.types import Document, Entity
from tests.nlp.tiny_models import tiny_classifier

TEXT = "Tamoxifen inhibits CYP2D6 and binds aspirin."
ENTITIES = [
    Entity("d", 0, 9, "Tamoxifen", "Chemical", "D013629"),
    Entity("d", 19, 25, "CYP2D6", "Gene"),
    Entity("d", 36, 43, "aspirin", "Chemical"),
]


def test_one_span_marks_every_mention_once_and_knows_where():
    cands = candidates(Document("d", TEXT), ENTITIES, CHEMPROT)
    (span,) = marked_spans(TEXT, cands, CHEMPROT)
    assert span.text == (
        "@ * chemical * Tamoxifen @ inhibits # ^ gene ^ CYP2D6 # and binds "
        "@ * chemical * aspirin @."
    )
    assert [span.text[o] for o in span.opens] == ["@", "#", "@"]
    assert [span.text[c] for c in span.closes] == ["@", "#", "@"]
    # (candidate, head mention, tail mention): both chemicals pair with the one gene
    assert span.pairs == [(0, 0, 1), (1, 2, 1)]


def test_a_lone_pair_reads_as_the_pair_marking_does():
    lone = [Candidate(ENTITIES[0], ENTITIES[1], (0, len(TEXT)))]
    (span,) = marked_spans(TEXT, lone, CHEMPROT)
    assert span.text == marked_text(TEXT, lone[0], CHEMPROT)


def test_spans_group_candidates_by_their_sentences():
    text = "Aspirin binds COX. Tamoxifen binds CYP2D6."
    ents = [
        Entity("d", 0, 7, "Aspirin", "Chemical"),
        Entity("d", 14, 17, "COX", "Gene"),
        Entity("d", 19, 28, "Tamoxifen", "Chemical"),
        Entity("d", 35, 41, "CYP2D6", "Gene"),
    ]
    cands = candidates(Document("d", text), ents, CHEMPROT)
    spans = marked_spans(text, cands, CHEMPROT)
    assert [s.text for s in spans] == [
        "@ * chemical * Aspirin @ binds # ^ gene ^ COX #.",
        "@ * chemical * Tamoxifen @ binds # ^ gene ^ CYP2D6 #.",
    ]


def test_nested_and_adjacent_mentions_keep_their_marks_apart():
    text = "Abc def gh"
    outer = Entity("d", 0, 7, "Abc def", "Chemical")
    inner = Entity("d", 4, 7, "def", "Gene")
    after = Entity("d", 8, 10, "gh", "Gene")
    cands = [Candidate(outer, after, (0, 10)), Candidate(inner, after, (0, 10))]
    # (a chemical cannot be a gene; the nesting is what is tested)
    (span,) = marked_spans(text, cands, CHEMPROT)
    assert [span.text[o] for o in span.opens] == ["@", "#", "#"]
    assert [span.text[c] for c in span.closes] == ["@", "#", "#"]
    # the inner mention closes before the outer one; the next opens after both
    assert span.text == "@ * chemical * Abc # ^ gene ^ def # @ # ^ gene ^ gh #"


def test_a_symmetric_task_marks_every_mention_as_a_head():
    text = "Warfarin and aspirin interact."
    ents = [Entity("d", 0, 8, "Warfarin", "Chemical"), Entity("d", 13, 20, "aspirin", "Chemical")]
    (span,) = marked_spans(text, candidates(Document("d", text), ents, DDI), DDI)
    assert span.text == "@ * drug * Warfarin @ and @ * drug * aspirin @ interact."


@pytest.fixture
def tokenizer(tmp_path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_classifier(tmp_path / "tok", CHEMPROT.classes))


def test_encoded_pairs_point_at_their_opening_markers(tokenizer):
    cands = candidates(Document("d", TEXT), ENTITIES, CHEMPROT)
    (span,) = marked_spans(TEXT, cands, CHEMPROT)
    (row,) = encode_span(tokenizer, span, 64, special_affixes(tokenizer))
    tokens = tokenizer.convert_ids_to_tokens(row.ids)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    for i, head, tail in row.pairs:
        assert tokens[head : head + 5] == ["@", "*", "chemical", "*", cands[i].head.text.lower()]
        assert tokens[tail : tail + 5] == ["#", "^", "gene", "^", "cyp2d6"]


def test_a_span_too_long_for_the_window_is_read_once_per_pair_around_it(tokenizer):
    cands = candidates(Document("d", TEXT), ENTITIES, CHEMPROT)
    (span,) = marked_spans(TEXT, cands, CHEMPROT)
    rows = encode_span(tokenizer, span, 16, special_affixes(tokenizer))
    assert len(rows) == 2 and all(len(r.ids) <= 16 for r in rows)
    for row in rows:
        tokens = tokenizer.convert_ids_to_tokens(row.ids)
        ((_, head, tail),) = row.pairs
        assert (tokens[head], tokens[tail]) == ("@", "#")


def span_folder(tmp_path):
    """A tiny entity-marker classifier folder that reads spans."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, BertModel

    from mining.nlp.model_folder import ENTITY_MARKERS
    from mining.nlp.relations.pair_model import EntityPairClassifier
    from mining.nlp.relations.span_marking import SPAN_MARKING
    from mining.train.finetune import save_model_folder

    plain = tiny_classifier(tmp_path / "plain", CHEMPROT.classes)
    config = AutoConfig.from_pretrained(plain)
    config.biomine_head, config.biomine_marking = ENTITY_MARKERS, SPAN_MARKING
    torch.manual_seed(1)
    model = EntityPairClassifier(BertModel(config, add_pooling_layer=False), config).eval()
    tok = AutoTokenizer.from_pretrained(plain)
    return save_model_folder(model, tok, tmp_path / "spans", "tiny", {})


def test_a_span_folder_reads_spans_and_a_lone_pair_scores_as_pair_reading_does(tmp_path):
    clf = RelationClassifier.from_pretrained(span_folder(tmp_path), device="cpu")
    assert clf.span_marking
    cands = candidates(Document("d", TEXT), ENTITIES, CHEMPROT)
    spans = clf.predict_spans(TEXT, cands)
    pairs = clf.predict([marked_text(TEXT, c, CHEMPROT) for c in cands])
    assert spans.shape == pairs.shape == (2, len(CHEMPROT.classes))
    # Each pair alone in its span is the pair marking exactly; together they differ (the other
    # chemical's markers are in the text), which is what span reading is.
    for k, c in enumerate(cands):
        assert abs(clf.predict_spans(TEXT, [c])[0] - pairs[k]).max() < 1e-5
    assert abs(spans - pairs).max() > 1e-5
    # The pipeline path goes through span reading too.
    (rels,) = list(clf.predict_relations([Document("d", TEXT)], [ENTITIES]))
    expected = [c for c, p in zip(cands, spans, strict=True) if p.argmax() != 0]
    assert [(r.head_mention, r.tail_mention) for r in rels] == [(c.head, c.tail) for c in expected]


def test_span_marking_needs_the_entity_marker_head(tmp_path):
    import json

    from mining.errors import ModelError

    folder = tiny_classifier(tmp_path / "cls", CHEMPROT.classes)
    config = json.loads((folder / "config.json").read_text())
    config["biomine_marking"] = "span"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="span marking needs the entity-marker head"):
        RelationClassifier.from_pretrained(folder, device="cpu")
