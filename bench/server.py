"""Benchmark row: how much of an inference server's concurrency offline-report uses (issue 12).

    python bench/server.py build                 # once: builds llama-server from the llama.cpp that
                                                 # llama-cpp-python vendors (same version), ~10+ min on 2 cores
    python bench/server.py run [--repo PATH] [--rounds N] [--threads N]

The row: offline-report's speed-up from `--parallel 1` to `--parallel 4` (commits/s), divided by the server's
own speed-up from 1 request at a time to 4 at a time (requests/s), on the same requests: the completion
requests offline-report sent in its own `--parallel 1` run, replayed as they were. The server is
`llama-server -np 4 -c 8192` with offline-report's model, restarted before every measurement so that no run
finds another's prompts in the slots' KV cache. Modes alternate within each round (the machine is shared).
Without --repo the day is a synthetic one of 8 commits with small source diffs.

Prints one table and writes bench/results/<date>-<host>-server.json. Without the built binary the row says
"skipped".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from importlib.metadata import version
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import busiest_day, day_config  # noqa: E402
from bench.run import CACHE, Table  # noqa: E402
from offline_report.config import Settings  # noqa: E402
from offline_report.llm.models import resolve_model  # noqa: E402
from offline_report.llm.server import ServerEngine  # noqa: E402
from offline_report.pipeline import build_analyzer, open_store, run  # noqa: E402
from offline_report.stats import RunStats  # noqa: E402

LLAMA_CPP_PYTHON = version("llama-cpp-python")
SOURCE = CACHE / f"llama.cpp-{LLAMA_CPP_PYTHON}"
BINARY = SOURCE / "build" / "bin" / "llama-server"
BUILD_LOG = CACHE / f"llama.cpp-{LLAMA_CPP_PYTHON}-build.log"
SLOTS = 4
SERVER_CTX = 8192  # 4 slots x 2048 tokens
SYNTHETIC_DAY = "2026-03-04"
ROW = "server concurrency: offline-report's --parallel 4 / --parallel 1 speed-up (commits/s) / llama-server -np 4's " \
      "own 4-at-a-time / 1-at-a-time speed-up (requests/s), same requests"
CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=OFF", "-DLLAMA_BUILD_TESTS=OFF",
               "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_OPENSSL=OFF",
               "-DLLAMA_USE_PREBUILT_UI=OFF"]


# ---- build ----

def build(jobs: int, force: bool) -> None:
    if BINARY.exists() and not force:
        print(f"already built: {BINARY} (--force builds again)")
        return
    SOURCE.mkdir(parents=True, exist_ok=True)
    vendored = SOURCE / "vendor" / "llama.cpp"
    if not (vendored / "CMakeLists.txt").exists():
        sdist_dir = CACHE / "sdist"
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        f"llama-cpp-python=={LLAMA_CPP_PYTHON}", "-d", str(sdist_dir)], check=True)
        archive = next(sdist_dir.glob(f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz"))
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                member.name = member.name.split("/", 1)[1] if "/" in member.name else ""
            tar.extractall(SOURCE, members=[m for m in tar.getmembers() if m.name], filter="data")
    print(f"building llama-server {LLAMA_CPP_PYTHON} in {SOURCE / 'build'}; log: {BUILD_LOG}", flush=True)
    with open(BUILD_LOG, "a") as log:
        for command in (["cmake", "-S", str(vendored), "-B", str(SOURCE / "build"), *CMAKE_FLAGS],
                        ["cmake", "--build", str(SOURCE / "build"), "--target", "llama-server", "-j", str(jobs)]):
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode:
                sys.exit(f"build failed, see {BUILD_LOG}")
    print(f"built: {BINARY}")


# ---- the server ----

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """llama-server on 127.0.0.1 with SLOTS slots; started and stopped by this process only."""

    def __init__(self, model: str, threads: int, log: Path):
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "a")
        self.proc = subprocess.Popen([str(BINARY), "-m", model, "--host", "127.0.0.1", "--port", str(self.port),
                                      "-np", str(SLOTS), "-c", str(SERVER_CTX), "-t", str(threads)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama-server exited ({self.proc.returncode}); see {log}")
            try:
                if httpx.get(f"{self.root}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"llama-server not healthy within 120 s; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# ---- the day ----

def synthetic_repo(path: Path, commits: int) -> tuple[str, str]:
    """`commits` commits on one day, each a small change to a source file."""
    from tests.support.gitrepo import RepoBuilder

    builder = RepoBuilder(path)
    base = {f"src/module_{i}.py": "".join(f"def handler_{i}_{j}(value):\n    return value + {j}\n\n"
                                          for j in range(12)) for i in range(commits)}
    builder.commit("chore: initial layout", "2026-03-01T09:00:00+00:00", base)
    subjects = ["fix: handle empty value in handler", "feat: add a retry limit", "refactor: split the parser",
                "perf: cache the lookup table", "fix: off-by-one in pagination", "feat: expose a timeout option",
                "docs: explain the return value", "fix: close the file on error"]
    for i in range(commits):
        name = f"src/module_{i}.py"
        body = builder.files[name].replace(f"return value + {i % 12}\n",
                                           f"if value is None:\n        raise ValueError('value {i}')\n"
                                           f"    limit = {i + 3}\n    return min(value + {i % 12}, limit)\n")
        builder.commit(f"{subjects[i % len(subjects)]} (module {i})", f"{SYNTHETIC_DAY}T{9 + i % 9:02d}:{i % 60:02d}:00+00:00",
                       {name: body})
    return str(path), SYNTHETIC_DAY


class Recorder:
    """Records the completion requests ServerEngine sends (the bodies, as sent)."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.original = ServerEngine._post

    def __enter__(self):
        recorder = self

        def post(engine, path, body, root=False):
            if path.endswith("completions"):
                with recorder.lock:
                    recorder.bodies.append((path, json.loads(json.dumps(body))))
            return recorder.original(engine, path, body, root)

        ServerEngine._post = post
        return self

    def __exit__(self, *exc):
        ServerEngine._post = self.original


def offline_report_run(repo: str, day: str, url: str, parallel: int, cache: str, out: str) -> dict:
    """One run of the pipeline against the server, as the CLI wires it (--refresh: every commit is analysed)."""
    config = day_config(repo, day, out)
    settings = Settings(repos=config.repos, lang=config.lang, server=url, parallel=parallel,
                        cache_dir=Path(cache), refresh=True)
    stats = RunStats(use_llm=True)
    store = open_store(settings)
    analyzer = build_analyzer(settings, config.lang, stats, store)
    started = time.perf_counter()
    result = run(config, analyzer, stats, store=store)
    wall = time.perf_counter() - started
    analyzer.session._engine.close()
    commits = sum(r.total for r in result.reports)
    return {"wall_s": wall, "commits": commits, "parallel": analyzer.session.parallel,
            "model_analyses": stats.as_dict().get("model_analyses"), "votes_counted": getattr(stats, "votes_counted", None)}


def replay(root: str, bodies: list[tuple[str, dict]], concurrency: int) -> dict:
    """The recorded requests, `concurrency` at a time, as the server's own figure."""
    usage = {"prompt_tokens": 0, "completion_tokens": 0}
    with httpx.Client(timeout=600, limits=httpx.Limits(max_connections=concurrency * 2)) as client:
        def send(item):
            path, body = item
            response = client.post(f"{root}/v1{path}", json=body)
            response.raise_for_status()
            return response.json().get("usage") or {}

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            answers = list(pool.map(send, bodies))
        wall = time.perf_counter() - started
    for answer in answers:
        for key in usage:
            usage[key] += int(answer.get(key) or 0)
    return {"wall_s": wall, "requests": len(bodies), "concurrency": concurrency, **usage}


def measure(args) -> None:
    table = Table()
    model = resolve_model(args.model).path
    results = {"date": date.today().isoformat(), "host": socket.gethostname(), "python": platform.python_version(),
               "cpu_count": os.cpu_count(), "threads": args.threads, "model": os.path.basename(model),
               "llama_cpp_python": LLAMA_CPP_PYTHON, "server": str(BINARY),
               "server_args": f"-np {SLOTS} -c {SERVER_CTX} -t {args.threads}"}
    if not BINARY.exists():
        table.skip(ROW, "llama-server not built (python bench/server.py build)")
    else:
        work = Path(tempfile.mkdtemp(prefix="offline-report-srvbench-"))
        if args.repo:
            repo = os.path.abspath(args.repo)
            day = args.day or busiest_day(repo)[0]
        else:
            repo, day = synthetic_repo(work / "repo", args.commits)
        cache = str(work / "cache")
        log = work / "llama-server.log"
        print(f"day measured: {repo} {day}; server log: {log}", file=sys.stderr, flush=True)

        def fresh(action):
            server = LlamaServer(model, args.threads, log)
            try:
                return action(server)
            finally:
                server.stop()

        # Once, unmeasured: the calibration (cached per model) and the requests of a --parallel 1 day.
        with Recorder() as warm:
            fresh(lambda s: offline_report_run(repo, day, f"{s.root}/v1", 1, cache, str(work / "warm")))
        print(f"  warm-up done: {len(warm.bodies)} completion requests", file=sys.stderr, flush=True)
        runs = {"ofr_p1": [], "ofr_p4": [], "srv_c1": [], "srv_c4": []}
        bodies = None
        for r in range(args.rounds):
            order = ["ofr_p1", "ofr_p4", "srv_c1", "srv_c4"]
            if r % 2:
                order.reverse()
            for mode in order:
                if mode.startswith("ofr"):
                    parallel = int(mode[-1])
                    with Recorder() as recorded:
                        out = fresh(lambda s: offline_report_run(repo, day, f"{s.root}/v1", parallel, cache,
                                                                 str(work / mode)))
                    out["requests"] = len(recorded.bodies)
                    if parallel == 1 and bodies is None:
                        bodies = recorded.bodies
                else:
                    concurrency = int(mode[-1])
                    out = fresh(lambda s: replay(s.root, bodies or warm.bodies, concurrency))
                runs[mode].append(out)
                rate = out.get("commits", out.get("requests")) / out["wall_s"]
                print(f"  round {r + 1} {mode}: {out['wall_s']:.2f} s, {rate:.3f}/s", file=sys.stderr, flush=True)

        def rate(mode, what):
            return sum(o[what] for o in runs[mode]) / sum(o["wall_s"] for o in runs[mode])

        ofr1, ofr4 = rate("ofr_p1", "commits"), rate("ofr_p4", "commits")
        srv1, srv4 = rate("srv_c1", "requests"), rate("srv_c4", "requests")
        commits = runs["ofr_p1"][0]["commits"]
        requests = runs["srv_c1"][0]["requests"]
        table.add(ROW, ofr4 / ofr1, srv4 / srv1, ">= 0.9", "x",
                  f"{commits} commits, {requests} requests, {args.rounds} rounds; offline-report {ofr1:.3f} -> "
                  f"{ofr4:.3f} commits/s, llama-server {srv1:.3f} -> {srv4:.3f} requests/s")
        table.add("of which llama-server: 4 requests at a time / 1 at a time, same requests", srv4, srv1, None,
                  "requests/s")
        table.add("of which offline-report: --parallel 4 / --parallel 1, same day", ofr4, ofr1, None, "commits/s")
        results.update({"repo": repo if args.repo else "synthetic", "day": day, "rounds": args.rounds, "runs": runs})
        shutil.rmtree(work, ignore_errors=True)

    print(table.render())
    results.update({"rows": table.rows, "skipped": table.skipped})
    target = ROOT / "bench" / "results" / f"{results['date']}-{results['host']}-server.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwritten: {target.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build llama-server from llama-cpp-python's vendored llama.cpp (once)")
    b.add_argument("--jobs", type=int, default=os.cpu_count())
    b.add_argument("--force", action="store_true", help="run cmake again even when the binary exists")
    r = sub.add_parser("run", help="measure the row")
    r.add_argument("--model", help="GGUF model (default: offline-report's own resolution)")
    r.add_argument("--threads", type=int, default=os.cpu_count(), help="llama-server's threads")
    r.add_argument("--repo", help="a real clone (default: a synthetic day)")
    r.add_argument("--day", help="the day of --repo to measure (default: its busiest)")
    r.add_argument("--commits", type=int, default=8, help="commits of the synthetic day (default 8)")
    r.add_argument("--rounds", type=int, default=2, help="measurements of each mode, alternated (default 2)")
    args = parser.parse_args()
    if args.command == "build":
        build(args.jobs, args.force)
    else:
        measure(args)


if __name__ == "__main__":
    main()
