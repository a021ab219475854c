"""The commit table of shared/seeds/000_b87ee67670bc214e.txt (ai-dynamo/dynamo, 2026-02-12, +08:00),
replayed with plausible file changes for each kind of commit."""

from __future__ import annotations

from .gitrepo import RepoBuilder, lines

SEED_DAY = "2026-02-12"
SEED_COMMITS = [  # newest first, as in the seed's table
    ("15:17:51", "Yan Ru Pei", "chore: warn out request rejection (#6222)", "small_src"),
    ("14:26:56", "Yan Ru Pei", "feat: Flash Indexer (#5785)", "big_feat"),
    ("13:14:13", "jh-nv", "feat: Migrate vllm configuration system (#6075)", "big_feat"),
    ("12:10:58", "jh-nv", "feat: request migration for SGLang (#5659)", "big_feat"),
    ("11:51:49", "dagil-nvidia", "docs: add Discovery Plane, refactor Event Plane with D2 diagrams (#6229)", "big_docs"),
    ("09:23:00", "dagil-nvidia", "docs: update docs URLs from Sphinx index.html to Fern paths (#6218)", "docs"),
    ("09:19:49", "dagil-nvidia", "ci: fix fern CLI after docs/ migration by adding fern/ symlink (#6219)", "ci"),
    ("09:18:28", "MatejKosec", "feat: responses API compliance with upstream type alignment (#6089)", "api_feat"),
    ("08:31:21", "Alec", "test: change KVBM vLLM interface tests to gpu_0 marker (#6205)", "tests"),
    ("08:22:27", "Jonathan Tong", "docs: migrate Fern docs from fern/ into docs/ (#6206)", "big_docs"),
    ("08:09:00", "Schwinn Saereesitthipitak",
     "feat(chrek): config refactor, /dev/shm support, and mount-policy rewrite (#5946)", "big_feat"),
    ("07:40:20", "dagil-nvidia", "fix: restrict Image.open() formats to prevent PSD parsing (workaround) (#6212)",
     "security_fix"),
    ("05:19:31", "Alec", "chore(deps): bump vLLM to 0.15.1 (#6102)", "deps"),
    ("05:15:03", "MatejKosec", "fix: use tempfile.TemporaryDirectory in load generator test (#6196)", "tests"),
    ("05:00:58", "Dmitry Tokarev",
     "fix: Cleanup pytest markers, enable gpu_0 tests on trtllm arm, reduce log noise (#6124)", "fix"),
    ("04:23:48", "Yan Ru Pei", "chore: remove kv indexers bindings (#6159)", "delete_src"),
    ("04:06:13", "Graham King", "feat: Metric for detokenization latency (#6160)", "big_feat"),
    ("03:51:21", "Hongkuan Zhou", "docs: pointers to global router (#6190)", "docs"),
    ("03:19:55", "Julien Mancuso", "feat: include operator version in DGD (#6121)", "big_feat"),
    ("03:06:12", "Yuewei Na", "fix: convert guided_decoding dict to GuidedDecodingParams in TRT-LLM handler (#6127)",
     "fix"),
    ("02:42:05", "Olga Andreeva", "test: adding interface contract tests for KVBM vLLM integration (#5847)",
     "big_tests"),
    ("02:21:19", "Ran Rubin", "ci: modify container build routing (#6185)", "ci"),
    ("02:09:27", "Dillon Cullinan", "chore: Templating Feedback Followup (#6125)", "small_src"),
    ("01:43:09", "Ryan Amirthan Stephen", "fix: added standard assets from NVIDIA fern styling (#6148)", "fix"),
    ("00:51:01", "Graham King", "chore: Merge bindings client and client2 functions (#6158)", "small_src"),
]
# One multi-line message, as in shared/seeds/004_302b018109063ec5.txt.
MULTILINE_BODY = (
    "\n\nWrap wait_for_deployment_ready() in try/except TimeoutError for both prefill and decode profiling sweeps\n"
    "On timeout: log error, record via add_error, and continue to the next config\n"
)


def changes_for(kind: str, n: int) -> tuple[dict, tuple]:
    if kind == "big_feat":
        return {f"lib/router/src/feature_{n}.rs": lines(150, f"fn f{n}"),
                f"lib/router/tests/test_feature_{n}.rs": lines(20)}, ()
    if kind == "api_feat":
        return {f"lib/api/openai_{n}.rs": lines(60), f"tests/test_api_{n}.py": lines(10)}, ()
    if kind == "security_fix":
        return {f"components/multimodal/image_loader_{n}.py": lines(12) + "formats=['PNG','JPEG']\n"}, ()
    if kind == "fix":
        return {f"components/src/handler_{n}.py": lines(30, f"fix{n}"), f"tests/test_handler_{n}.py": lines(8)}, ()
    if kind == "small_src":
        return {f"lib/runtime/src/small_{n}.rs": lines(4, f"s{n}")}, ()
    if kind == "docs":
        return {f"docs/page_{n}.md": lines(20, f"doc{n}")}, ()
    if kind == "big_docs":
        return {f"docs/section_{n}/page_{i}.md": lines(60, f"d{n}") for i in range(10)}, ()
    if kind == "ci":
        return {f".github/workflows/job_{n}.yml": lines(15, f"ci{n}")}, ()
    if kind == "tests":
        return {f"tests/planner/test_case_{n}.py": lines(12, f"t{n}")}, ()
    if kind == "big_tests":
        return {f"tests/kvbm/test_contract_{n}.py": lines(330, f"t{n}")}, ()
    if kind == "deps":
        return {"pyproject.toml": f'[project]\nname = "dynamo"\ndependencies = ["vllm==0.15.{n}"]\n'}, ()
    if kind == "delete_src":
        return {}, ("lib/bindings/kv_a.rs", "lib/bindings/kv_b.rs", "lib/bindings/kv_c.rs")
    raise ValueError(kind)


def build_seed_repo(path, multiline: bool = False) -> RepoBuilder:
    builder = RepoBuilder(path, remote="git@github.com:ai-dynamo/dynamo.git")
    base = {f"lib/bindings/kv_{c}.rs": lines(60, c) for c in "abc"}
    base["README.md"] = "# dynamo\n"
    builder.commit("chore: initial import", "2026-02-10T10:00:00+08:00", base, author=("Init", "init@example.com"))
    builder.commit("chore: yesterday's work", "2026-02-11T20:00:00+08:00", {"lib/x.rs": lines(3)})
    for n, (clock, author, subject, kind) in enumerate(reversed(SEED_COMMITS)):
        changes, deleted = changes_for(kind, n)
        message = subject + (MULTILINE_BODY if multiline and n == 0 else "")
        email = author.lower().replace(" ", ".") + "@example.com"
        builder.commit(message, f"{SEED_DAY}T{clock}+08:00", changes, deleted, author=(author, email))
    return builder
