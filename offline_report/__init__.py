"""offline-report: daily reports of local git clones, analysed by a local GGUF model.

The flow, one concern per module:
  cli        command line: options -> Settings, errors -> exit codes
  config     Settings (every option, typed) and the resolved run (dates, time zone)
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
