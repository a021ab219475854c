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
  analyze    per-commit analysis
  report     the day model: groups, stats, anchors
  render     Jinja templates, Markdown and JSON output, atomic writes
  pipeline   one run: repositories x days -> reports
"""

__version__ = "0.1.0"
