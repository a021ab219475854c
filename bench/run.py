"""Benchmarks that print ratios: offline-report against llama.cpp alone and against a full git walk.

    python bench/run.py [--model PATH] [--threads N] [--repo PATH] [--commits N]

Prints one table and writes the same figures to bench/results/<date>-<host>.json. Absolute times on
shared machines mean little, so each figure is divided by a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import build_long_history, build_wide_commit, busiest_day, day_config, run_day  # noqa: E402
from bench.probe import reset_peak as reset_peak_rss, rss_kib  # noqa: E402
from offline_report.rules.classify import classify  # noqa: E402
from offline_report.llm.engine import EngineSettings, Prompt  # noqa: E402
from offline_report.llm.llama import LlamaEngine, gpu_offload_supported  # noqa: E402
from offline_report.git.log import WalkStats, commits_by_day, newest_first  # noqa: E402
from offline_report.git.repo import open_repo  # noqa: E402
from offline_report.llm.models import read_info, resolve_model  # noqa: E402
from offline_report.llm.schema import tier_schema  # noqa: E402
from offline_report.llm.schema import VOTE_MAX_TOKENS  # noqa: E402
from offline_report.llm.vote import ask_vote, labelled_set, sample_facts, vote_prompt  # noqa: E402

CACHE = Path(os.environ.get("OFFLINE_REPORT_BENCH_CACHE", Path.home() / ".cache" / "offline-report-bench"))
HISTORY_COMMITS = 100_000
WIDE_FILES = 10_000
SYNTHETIC_DAY = "2026-02-12"
FREE_PROMPT = "Write a long, detailed story about a lighthouse keeper and a storm at sea."


class Table:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.skipped: list[dict] = []

    def add(self, what: str, tool: float, reference: float, goal: str | None, unit: str, note: str = "",
            better: str = "low") -> None:
        ratio = tool / reference if reference else float("nan")
        met = None
        if goal:
            bound = float(goal.split()[-1])
            met = ratio >= bound if goal.startswith(">=") else ratio <= bound
        self.rows.append({"what": what, "tool": round(tool, 4), "reference": round(reference, 4),
                          "ratio": round(ratio, 4), "goal": goal, "met": met, "unit": unit, "note": note})
        print(f"  measured: {what}: {tool:.4g} / {reference:.4g} {unit} = {ratio:.3f}", file=sys.stderr, flush=True)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append({"what": what, "why": why})
        print(f"  skipped: {what}: {why}", file=sys.stderr, flush=True)

    def render(self) -> str:
        lines = ["| what | tool | reference | ratio | goal | met |", "|---|---|---|---|---|---|"]
        for r in self.rows:
            met = {True: "yes", False: "no", None: "-"}[r["met"]]
            note = f"; {r['note']}" if r["note"] else ""
            lines.append(f"| {r['what']} ({r['unit']}{note}) | {r['tool']:.4g} | {r['reference']:.4g} | "
                         f"{r['ratio']:.3f} | {r['goal'] or '-'} | {met} |")
        for s in self.skipped:
            lines.append(f"| {s['what']} | skipped: {s['why']} | | | | |")
        return "\n".join(lines)


def synthetic_day(work: Path) -> tuple[str, str]:
    from tests.support.seed_day import build_seed_repo

    build_seed_repo(work / "seed-day")
    return str(work / "seed-day"), SYNTHETIC_DAY


def free_and_constrained(engine: LlamaEngine, seeds=(1, 2, 3)) -> tuple[float, float, float]:
    """tok/s of free generation, of schema-bound generation as offline-report samples it (grammar checked on the
    sampled token, applied to the vocabulary only on rejection) and as llama-cpp-python samples it (grammar over
    the whole vocabulary first), on the same prompt, interleaved seed by seed so load on the machine hits all three."""
    prompt = Prompt("You are a storyteller.", FREE_PROMPT)
    free, constrained, library = [], [], []
    for seed in seeds:
        free.append(engine.complete(prompt, None, 256, seed))
        constrained.append(engine.complete(prompt, tier_schema("high"), 256, seed))
        engine.grammar_last = False
        try:
            library.append(engine.complete(prompt, tier_schema("high"), 256, seed))
        finally:
            engine.grammar_last = True
    rate = lambda runs: sum(c.generated_tokens for c in runs) / sum(c.seconds for c in runs)  # noqa: E731
    return rate(free), rate(constrained), rate(library)


def grammar_row(table: Table, engine: LlamaEngine, free_rate: float, grammar_rate: float, library_rate: float) -> None:
    table.add("1b of which the grammar: constrained JSON generation / free generation, same prompt",
              grammar_rate, free_rate, ">= 0.85", "tok/s",
              f"{os.path.basename(engine.info.path)}; llama-cpp-python's own grammar sampling: {library_rate:.4g} tok/s, "
              f"{library_rate / free_rate:.3f} of free")


def generation_rows(table: Table, engine: LlamaEngine, cold: dict) -> None:
    stats = cold["stats"]
    analysis_s = cold["wall_s"] - cold["load_s"]
    tool_rate = stats["generated_tokens"] / analysis_s
    free_rate, grammar_rate, library_rate = free_and_constrained(engine)
    table.add("1 generation speed: tokens/s over a day's analysis / llama-cpp-python generating alone",
              tool_rate, free_rate, ">= 0.9", "tok/s",
              f"day: {stats['generated_tokens']} tokens in {analysis_s:.1f} s incl. prompt evaluation")
    grammar_row(table, engine, free_rate, grammar_rate, library_rate)
    table.add("2 prompt reuse: prompt tokens evaluated / prompt tokens sent, one day",
              stats["evaluated_prompt_tokens"], stats["prompt_tokens"], "<= 0.5", "tokens")


def vote_row(table: Table, engine: LlamaEngine, samples: int = 12) -> None:
    """Each method over the same commits in its own block, so KV-cache reuse is alike for all three."""
    commits = [(facts, classify(facts)) for facts in map(sample_facts, labelled_set()[:samples])]
    scored = sum(ask_vote(engine, f, c, "score", 1).seconds for f, c in commits)
    as_json = sum(ask_vote(engine, f, c, "json", 1).seconds for f, c in commits)
    free = sum(engine.complete(vote_prompt(engine, f, c), None, VOTE_MAX_TOKENS, 1).seconds for f, c in commits)
    table.add("3 pass 1: s/commit of label scoring (chosen) / unconstrained generation of the answer, same prompt",
              scored / samples, free / samples, None, "s/commit",
              f"constrained JSON vote: {as_json / samples:.3f} s/commit")


def rerun_row(table: Table, cold: dict, rerun: dict) -> None:
    loaded = rerun["stats"]["model_loaded"]
    table.add("4 incremental rerun: fully cached rerun wall / cold run wall, same day",
              rerun["wall_s"], cold["wall_s"], "<= 0.01", "s",
              f"model loaded on rerun: {loaded}; cache hits {rerun['stats']['cache_hits']}")


def selection_row(table: Table) -> None:
    path = CACHE / f"history-{HISTORY_COMMITS}"
    end = int(datetime(2026, 2, 13, tzinfo=timezone.utc).timestamp())
    if not (path / "complete").exists():
        print(f"  building a {HISTORY_COMMITS}-commit history in {path} (once)", file=sys.stderr, flush=True)
        build_long_history(path, HISTORY_COMMITS, end)
    handle = open_repo(str(path))
    config = replace(day_config(str(path), "2026-02-10", tempfile.mkdtemp(), use_llm=False), until=date(2026, 2, 12))
    started = time.perf_counter()
    walk = WalkStats()
    buckets = commits_by_day(handle, config.days(), config.tz, stats=walk)
    selection = time.perf_counter() - started
    started = time.perf_counter()
    everything = sum(1 for _ in newest_first(handle.repo, handle.head("HEAD")))
    full = time.perf_counter() - started
    found = sum(len(v) for v in buckets.values())
    table.add("5 day selection: last 3 days of a 100,000-commit history / a full history walk",
              selection, full, "<= 0.05", "s", f"{found} commits found, {walk.visited} of {everything} visited")


def memory_row(table: Table, grown_kib: int, model: str, n_ctx: int) -> None:
    info = read_info(model)
    budget = info.size + info.kv_cache_bytes(n_ctx)
    table.add("6 memory: peak RSS growth of the cold run / (model file + KV cache)", grown_kib / 1024,
              budget / 2**20, "<= 1.3", "MiB", f"n_ctx {n_ctx}")
    return budget


def memory_detail_rows(table: Table, repo: str, day: str, model: str, threads: int, budget: int, n_ctx: int) -> None:
    words = str(min(3000, n_ctx * 3 // 4))
    for flash, label in (("1", "with flash attention (the default)"), ("0", "without flash attention")):
        alone = probe("raw", model, str(threads), str(n_ctx), words, flash)
        table.add(f"6b of which llama.cpp itself, {label}: peak RSS growth of load + one 3,000-token prompt / "
                  "(model file + KV cache)", (alone["peak_kib"] - alone["before_kib"]) / 1024, budget / 2**20,
                  None, "MiB")
    wide = CACHE / f"wide-{WIDE_FILES}"
    if not (wide / ".git" / "complete").exists():
        build_wide_commit(wide, WIDE_FILES, SYNTHETIC_DAY)
    small = probe("no-llm", repo, day)
    big = probe("no-llm", str(wide), SYNTHETIC_DAY)
    table.add("6c peak RSS, one 10,000-file commit with --no-llm / the measured day with --no-llm",
              big["peak_kib"] / 1024, small["peak_kib"] / 1024, None, "MiB")


def gpu_row(table: Table, repo: str, day: str, model: str, threads: int, work: Path) -> None:
    gpu = run_day(day_config(repo, day, str(work / "gpu")), model=model, cache_dir=str(work / "gpu-cache"),
                  threads=threads, gpu_layers="all")
    cpu = run_day(day_config(repo, day, str(work / "cpu")), model=model,
              cache_dir=str(work / "cpu-cache"), threads=threads, gpu_layers="0")
    table.add("8 GPU: wall of the day with --gpu-layers all / CPU only", gpu["wall_s"], cpu["wall_s"], None, "s",
              f"GPU {gpu['stats']['tokens_per_s']} tok/s, CPU {cpu['stats']['tokens_per_s']} tok/s; "
              f"device {gpu_name()}")


def gpu_name() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or "unknown GPU"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown GPU"


def probe(*args: str) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "probe.py"), *args], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="GGUF model (default: offline-report's own resolution)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repo", help="a real clone: its busiest day is the day measured")
    parser.add_argument("--grammar-only", action="store_true",
                        help="only row 1b (constrained / free generation), without the day's run")
    parser.add_argument("--ctx", type=int, default=4096, help="n_ctx for --grammar-only (default 4096)")
    args = parser.parse_args()

    table = Table()
    work = Path(tempfile.mkdtemp(prefix="offline-report-bench-"))
    model = resolve_model(args.model).path
    if args.grammar_only:
        engine = LlamaEngine(read_info(model), EngineSettings(n_ctx=args.ctx, threads=args.threads))
        grammar_row(table, engine, *free_and_constrained(engine))
        print(table.render())
        return
    if args.repo:
        day, count = busiest_day(args.repo)
        repo = os.path.abspath(args.repo)
        print(f"day measured: {repo} {day} ({count} commits)", file=sys.stderr)
    else:
        repo, day = synthetic_day(work)
        table.skip("7 end to end on a real repository", "no --repo given; rows 1, 2 and 4 use a synthetic 25-commit day")
    cache = str(work / "cache")

    # Calibration is measured once per model; do it first so the day's figures are the day's work.
    warm = run_day(day_config(repo, "2000-01-01", str(work / "warm")), model=model, cache_dir=cache,
                   threads=args.threads)
    warm["session"].calibration()
    del warm
    gc.collect()
    reset_peak_rss()  # the cold run's peak is measured in this process, with no other model loaded
    before = rss_kib("VmRSS")
    cold = run_day(day_config(repo, day, str(work / "cold")), model=model, cache_dir=cache, threads=args.threads)
    grown = rss_kib("VmHWM") - before
    n_ctx = cold.pop("session").n_ctx()
    gc.collect()
    rerun = run_day(day_config(repo, day, str(work / "rerun")), model=model, cache_dir=cache, threads=args.threads)
    rerun.pop("session")
    engine = LlamaEngine(read_info(model), EngineSettings(n_ctx=n_ctx, threads=args.threads))

    generation_rows(table, engine, cold)
    vote_row(table, engine)
    rerun_row(table, cold, rerun)
    selection_row(table)
    budget = memory_row(table, grown, model, n_ctx)
    del engine
    memory_detail_rows(table, repo, day, model, args.threads, budget, n_ctx)
    if args.repo:
        commits = max(cold["commits"], 1)
        table.add(f"7 end to end: s/commit on {Path(repo).name} {day} ({cold['commits']} commits) / "
                  "s/commit spent inside the model's completions", cold["wall_s"] / commits,
                  cold["stats"]["model_s"] / commits,
                  None, "s/commit", f"{cold['stats']['model_analyses']} of {cold['commits']} passed the guard")
    if gpu_offload_supported():
        gpu_row(table, repo, day, model, args.threads, work)
    else:
        table.skip("8 GPU: --gpu-layers all / CPU", "llama-cpp-python here has no GPU offload (CPU build)")

    print(table.render())
    results = {
        "date": date.today().isoformat(), "host": socket.gethostname(), "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "threads": args.threads, "model": os.path.basename(model),
        "device": gpu_name() if gpu_offload_supported() else f"CPU ({platform.processor() or platform.machine()})", "repo": repo if args.repo else "synthetic",
        "day": day, "cold_run": cold,
        "rows": table.rows, "skipped": table.skipped,
    }
    target = ROOT / "bench" / "results" / f"{results['date']}-{results['host']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwritten: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
