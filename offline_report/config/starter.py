"""`offline-report init`: the commented starter offline-report.toml, written once, never over a file."""

from __future__ import annotations

import os
from pathlib import Path

from .file import CONFIG_NAME, ENV_CONFIG
from ..errors import UsageError

STARTER = '''\
# offline-report.toml: the settings of this team's report runs (see `offline-report config`).
# Precedence: command line > environment (OFFLINE_REPORT_MODEL, OFFLINE_REPORT_CACHE) > this file > defaults;
# every true/false key has both forms on the command line (--quiet/--no-quiet, --no-llm/--llm, ...).
# Relative paths start at this file's directory.

# lang = "en"                 # report language: en or zh
# tz = "Asia/Shanghai"        # IANA zone of the day windows, or "local"
# output_dir = "reports"      # where the day files go
# format = "md"               # md, json or html
# ref = "HEAD"                # branch, tag or commit to walk from
# no_merges = false
# commit_url = "https://git.example.com/x/y/-/commit/{sha}"
# no_llm = false              # true: every analysis is built by rules
# cache_dir = "/var/cache/offline-report"
# lock_timeout = 600
# empty_days = false
# quiet = false               # true: nothing on stderr unless something needs a person
# exit_code_if_empty = 99     # exit with this code when there was nothing new to report (cron wrappers)
# period = "day"             # "week" or "month": one report per ISO week or calendar month
# rollups = ["week"]          # the nightly run also writes each week's report once it is over (on Mondays)
# templates = "templates"     # *.j2 files here replace the built-in ones of the same name

# [model]
# path = "models/qwen2.5-7b-instruct-q4_k_m.gguf"
# ctx = 4096
# threads = 8
# gpu_layers = "auto"         # a number, "all" or "auto"
# seed = 1234
# vote_method = "score"       # score or json
# server = "http://gpu-box:8080/v1"   # an OpenAI-compatible server instead of a local model
# server_model = "qwen2.5-7b"
# api_key_env = "GPU_BOX_KEY" # the variable holding the key, never the key
# parallel = 4

# [importance]                # applied after the built-in rules; shown as "team rule" reasons
# paths = {"src/security/**" = "high", "docs/**" = "low"}
# subjects = {"^revert" = "medium"}

# One [[repos]] table per repository.
[[repos]]
path = "."
# name = "acme/dynamo"        # the section title
# ref = "main"
# include = ["src/**"]        # only commits touching these paths
# exclude = ["vendor/**"]     # commits touching only these paths are left out
# context = "The inference router; latency matters more than throughput."
# upstream = "upstream/main"  # an internal fork's upstream: syncs name the fork's files they touch again
'''


def write_starter(explicit: str | None) -> Path:
    """A commented offline-report.toml; never overwrites one."""
    path = Path(explicit or os.environ.get(ENV_CONFIG) or CONFIG_NAME)
    if path.exists():
        raise UsageError(f"{path} already exists; init never overwrites it",
                         "edit it, remove it first, or pass another file with --config PATH")
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(STARTER)
    except FileExistsError:
        raise UsageError(f"{path} already exists; init never overwrites it", "edit it, or remove it first") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", "run init in a writable directory") from None
    return path
