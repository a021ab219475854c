"""Memory probe, run in a fresh process by bench/run.py: prints one JSON line with RSS figures.

usage: python bench/probe.py raw    MODEL THREADS [N_CTX] [PROMPT_WORDS] [FLASH_ATTN]
                                  (llama.cpp alone: load, then one long prompt; default 4096, 3000 and 1)
       python bench/probe.py no-llm REPO DAY
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so the peak measured is the run's own."""
    Path("/proc/self/clear_refs").write_text("5")


def main() -> None:
    import gc

    from bench.harness import day_config, run_day

    mode = sys.argv[1]
    if mode == "raw":
        raw(sys.argv[2], int(sys.argv[3]), *map(int, sys.argv[4:7]))
        return
    repo, day = sys.argv[2], sys.argv[3]
    gc.collect()
    reset_peak()
    before = rss_kib("VmRSS")
    run_day(day_config(repo, day, tempfile.mkdtemp(), use_llm=False))
    print(json.dumps({"before_kib": before, "peak_kib": rss_kib("VmHWM")}))


def raw(model: str, threads: int, n_ctx: int = 4096, words: int = 3000, flash_attn: int = 1) -> None:
    import gc

    import llama_cpp  # noqa: F401
    from offline_report.llm.engine import EngineSettings
    from offline_report.llm.llama import LlamaEngine
    from offline_report.llm.models import read_info

    info = read_info(model)
    gc.collect()
    reset_peak()
    before = rss_kib("VmRSS")
    engine = LlamaEngine(info, EngineSettings(n_ctx=n_ctx, threads=threads, flash_attn=bool(flash_attn)))
    loaded = rss_kib("VmRSS")
    completion = engine.complete("word " * words, None, 16, 1)
    print(json.dumps({"before_kib": before, "loaded_kib": loaded, "peak_kib": rss_kib("VmHWM"), "n_ctx": engine.n_ctx,
                      "prompt_tokens": completion.prompt_tokens,
                      "budget_kib": (info.size + info.kv_cache_bytes(engine.n_ctx)) // 1024}))


if __name__ == "__main__":
    main()
