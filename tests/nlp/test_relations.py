"""The relation classifier: loading, label checks, windows around the markers, Relation rows."""

from __future__ import annotations

import json

import pytest

from mining.errors import ModelError
from mining.nlp.normalise import text_key
from mining.nlp.relations.candidates import candidates, marked_text
from mining.nlp.relations.classifier import RelationClassifier, concept_key, encode_candidate
from mining.nlp.relations.tasks import CHEMPROT
from mining.types import Document, Entity
from tests.nlp.tiny_models import tiny_classifier

TEXT = "Tamoxifen inhibits CYP2D6 and binds aspirin."


def entities():
    return [
        Entity("d", 0, 9, "Tamoxifen", "Chemical", "D013629"),
        Entity("d", 19, 25, "CYP2D6", "Gene"),
        Entity("d", 36, 43, "aspirin", "Chemical"),
    ]


def test_relations_carry_mentions_evidence_keys_and_source(tmp_path):
    folder = tiny_classifier(tmp_path / "re", CHEMPROT.classes, favour="CPR:4")
    clf = RelationClassifier.from_pretrained(folder, device="cpu")
    (rels,) = list(clf.predict_relations([Document("d", TEXT)], [entities()]))
    assert [(r.head_mention.text, r.tail_mention.text, r.label) for r in rels] == [
        ("Tamoxifen", "CYP2D6", "CPR:4"),
        ("aspirin", "CYP2D6", "CPR:4"),
    ]
    first = rels[0]
    assert (first.head, first.tail) == ("D013629", "text:Gene:cyp2d6")
    assert first.evidence == (0, len(TEXT)) and first.source == "re"
    assert 0.99 < first.score <= 1.0


def test_none_predictions_are_dropped(tmp_path):
    folder = tiny_classifier(tmp_path / "re", CHEMPROT.classes, favour="none")
    clf = RelationClassifier.from_pretrained(folder, device="cpu")
    assert list(clf.predict_relations([Document("d", TEXT)], [entities()])) == [[]]


def test_labels_must_be_the_tasks(tmp_path):
    folder = tiny_classifier(tmp_path / "re", ["none", "CPR:4"])
    with pytest.raises(ModelError, match="not the chemprot task"):
        RelationClassifier.from_pretrained(folder, device="cpu")


def test_unknown_task_and_bad_folders(tmp_path):
    folder = tiny_classifier(tmp_path / "re", CHEMPROT.classes)
    config = json.loads((folder / "config.json").read_text())
    del config["biomine_task"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="unknown relation task"):
        RelationClassifier.from_pretrained(folder, device="cpu")
    assert RelationClassifier.from_pretrained(folder, task="chemprot", device="cpu")
    with pytest.raises(ModelError, match="no such model folder"):
        RelationClassifier.from_pretrained(tmp_path / "missing", device="cpu")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        RelationClassifier.from_pretrained(tmp_path / "empty", device="cpu")


def test_long_texts_keep_the_stretch_around_the_markers(tmp_path):
    from transformers import AutoTokenizer

    folder = tiny_classifier(tmp_path / "re", CHEMPROT.classes)
    tok = AutoTokenizer.from_pretrained(folder)
    filler = " ".join(["the"] * 100)
    text = f"{filler} Tamoxifen inhibits CYP2D6 . {filler}"
    doc = Document("d", text)
    ents = [
        Entity("d", text.index("Tamoxifen"), text.index("Tamoxifen") + 9, "Tamoxifen", "Chemical"),
        Entity("d", text.index("CYP2D6"), text.index("CYP2D6") + 6, "CYP2D6", "Gene"),
    ]
    (cand,) = candidates(doc, ents, CHEMPROT)
    ids, (head, tail) = encode_candidate(tok, marked_text(text, cand, CHEMPROT), 32)
    assert len(ids) == 32 and ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
    words = tok.convert_ids_to_tokens(ids)
    assert {"@", "#", "tamoxifen", "cyp2d6"} <= set(words)
    assert words[head : head + 2] == ["@", "*"] and words[tail : tail + 2] == ["#", "^"]
    # Mentions farther apart than a window: both ends are kept with their markers.
    far = f"Tamoxifen {filler} CYP2D6"
    ents = [
        Entity("d", 0, 9, "Tamoxifen", "Chemical"),
        Entity("d", len(far) - 6, len(far), "CYP2D6", "Gene"),
    ]
    (cand,) = candidates(Document("d", far), ents, CHEMPROT)
    ids, (head, tail) = encode_candidate(tok, marked_text(far, cand, CHEMPROT), 32)
    words = tok.convert_ids_to_tokens(ids)
    assert words.count("@") == 2 and words.count("#") == 2 and len(words) == 32
    assert words[head : head + 2] == ["@", "*"] and words[tail : tail + 2] == ["#", "^"]


def test_concept_key_prefers_the_concept():
    assert concept_key(Entity("d", 0, 3, "ASA", "Chemical", "D001241")) == "D001241"
    key = concept_key(Entity("d", 0, 9, "Big  Genes", "Gene"))
    assert key == "text:Gene:biggene" == text_key("Gene", "big gene")


def test_entity_marker_head_folders_save_load_and_read_the_markers(tmp_path):
    import torch
    from transformers import AutoConfig, AutoTokenizer, BertModel

    from mining.nlp.model_folder import ENTITY_MARKERS
    from mining.nlp.relations.classifier import model_inputs
    from mining.nlp.relations.pair_model import EntityPairClassifier
    from mining.train.finetune import save_model_folder

    plain = tiny_classifier(tmp_path / "plain", CHEMPROT.classes)
    config = AutoConfig.from_pretrained(plain)
    config.biomine_head = ENTITY_MARKERS
    torch.manual_seed(1)
    model = EntityPairClassifier(BertModel(config, add_pooling_layer=False), config).eval()
    tok = AutoTokenizer.from_pretrained(plain)
    folder = save_model_folder(model, tok, tmp_path / "markers", "tiny", {})
    clf = RelationClassifier.from_pretrained(folder, device="cpu")
    assert clf.entity_markers and isinstance(clf.model, EntityPairClassifier)
    cands = candidates(Document("d", TEXT), entities(), CHEMPROT)
    texts = [marked_text(TEXT, c, CHEMPROT) for c in cands]
    encoded = [encode_candidate(tok, t, 64) for t in texts]
    inputs = model_inputs(encoded, tok.pad_token_id, entity_markers=True)
    with torch.inference_mode():  # the saved fp16 weights, computed in fp32 like the loaded ones
        expected = torch.softmax(model.float()(**inputs).logits, -1).numpy()
    assert abs(clf.predict(texts) - expected).max() < 1e-5
    # The head reads the states at the markers: other positions give other probabilities.
    inputs["entity_positions"] = torch.zeros_like(inputs["entity_positions"])
    with torch.inference_mode():
        moved = torch.softmax(model(**inputs).logits, -1).numpy()
    assert abs(moved - expected).max() > 1e-4


def test_none_bias_of_the_folder_shifts_predictions_to_none(tmp_path):
    folder = tiny_classifier(tmp_path / "re", CHEMPROT.classes, favour="CPR:4")
    config = json.loads((folder / "config.json").read_text())
    config["biomine_none_bias"] = 100.0  # more than the favoured label's +50
    (folder / "config.json").write_text(json.dumps(config))
    clf = RelationClassifier.from_pretrained(folder, device="cpu")
    assert clf.none_bias == 100.0
    assert list(clf.predict_relations([Document("d", TEXT)], [entities()])) == [[]]
