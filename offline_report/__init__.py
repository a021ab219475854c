"""offline-report: daily reports of local git clones, analysed by a local GGUF model.

From Python (no command line, no click):

    import offline_report
    reports = offline_report.daily_reports("/srv/git/dynamo", since="2026-02-10", until="2026-02-12", llm=False)
    reports.json[0]["repos"][0]["stats"]      # each day as `--format json` writes it; reports.days: DayReport

The flow, one concern per module:
  cli        command line: options -> Settings, errors -> exit codes (the only importer of click)
  api        daily_reports(...): a run from Python, returning the day reports and their JSON
  config/    Settings and the resolved run; file (offline-report.toml, checked), merge (precedence),
             checks (every setting checked before a run), starter (`init`)
  pipeline   the one wiring function (build_analyzer) and one run: repositories x days -> reports
  git/       repo (open, refs, remote), log (the walk, days), commits (each commit decoded once),
             paths (file kinds), message (conventional commits), remote (web links)
  rules/     classify (type, importance prior and its reasons), writer (the rule analysis)
  analysis_spec  the per-tier field spec; the Analysis, Vote and Reason values
  rule_analyzer  the Analyzer protocol, and the analysis from git facts alone
  llm/model_analyzer  per commit: cache, model, guard and the rule fallback
  llm/       engine (the seam), llama (the only importer of llama_cpp), models, session, prompts,
             schema, guard, vote, answer_check (can this model pass the guard? else the run skips it)
  report/    day (the day model and its one serialisation), render (templates: Markdown and HTML, JSON,
             atomic writes), site (index.html from the day pages present), templates/
  catalog    words a reader sees, per language (catalogs/<lang>.toml)
  cache      the diskcache store, resume state, the run lock
  stats      what a run did (JSON `run`, the footer)
  progress   progress on stderr
  errors     the error hierarchy (exit code and what to do)
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """`offline_report.daily_reports` and `offline_report.Reports`, imported on first use (`--version` stays fast)."""
    if name in ("daily_reports", "Reports"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'offline_report' has no attribute {name!r}")
