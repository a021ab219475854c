"""offline-report: daily reports of local git clones, analysed by a local GGUF model.

Modules, one concern each:
  cli        command line: options, wiring, exit codes
  config     run settings: dates, time zone, paths
  errors     the error hierarchy (exit code and what to do)
  gitlog     commits of a day and their diff facts (pygit2)
  message    commit message parsing (conventional commits, PR number)
  remote     origin remote to web URL and owner/name
  classify   rule table: change type, importance prior, signals
  rules      deterministic analysis built from git facts
  engine     the model seam; the llama.cpp implementation (the only importer of llama_cpp)
  models     model discovery, resolution, GGUF metadata, fingerprints, pre-load checks
  session    the run's model: resolved once, loaded lazily, calibrated once
  prompts    prompt building and diff excerpts within a token budget
  schema     JSON schemas of the model's answers and their budgets
  guard      quality guard on model answers
  vote       the importance vote: asking, calibrating, combining with the rules
  cache      the diskcache store
  stats      what a run did (JSON `run`, report footer)
  analyze    per-commit analysis: rules, or cache, model, guard and fallback
  progress   progress on stderr
  report     the day model: groups, stats, anchors
  render     Jinja templates, Markdown and JSON output, atomic writes
  pipeline   one run: repositories x days -> reports
"""

__version__ = "0.1.0"
