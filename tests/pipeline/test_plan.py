"""A pipeline's plan: worked out from configs alone, in order, with the right components."""

from __future__ import annotations

from mining.nlp.biogpt.generative_relations import GenerativeRelationExtractor
from mining.nlp.normalise import ConceptNormaliser
from mining.nlp.relations.classifier import RelationClassifier
from mining.nlp.sentences import SentenceSplitter
from mining.pipeline_plan import plan
from mining.shipped_models import shipped
from mining.train.build_biogpt import build_biogpt
from tests.nlp.tiny_models import tiny_classifier, tiny_token_classifier


def test_a_causal_lm_folder_plans_as_a_generative_extractor(shared_data, tmp_path):
    tagger = tiny_token_classifier(tmp_path / "ner", ["O", "B-Chemical", "I-Chemical"])
    marker = tiny_classifier(
        tmp_path / "re-chemprot", ["none", "CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9"]
    )
    generative = build_biogpt(
        shared_data / "biogpt_vocab/base", tmp_path / "gen", hidden=32, layers=1, heads=2
    )
    specs = plan([tagger], [marker, generative], shipped("concepts-mesh"))
    kinds = [s.cls for s in specs]
    assert kinds[0] is SentenceSplitter and kinds[2] is ConceptNormaliser
    assert kinds[3:] == [RelationClassifier, GenerativeRelationExtractor]
    assert [s.source for s in specs][3:] == ["re-chemprot", "gen"]
    assert not specs[0].marks and all(s.marks for s in specs[1:])
