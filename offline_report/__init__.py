"""offline-report: daily reports of local git clones, analysed by a local GGUF model.

From Python (no command line, no click):

    import offline_report
    reports = offline_report.daily_reports("/srv/git/dynamo", since="2026-02-10", until="2026-02-12", llm=False)
    reports.json[0]["repos"][0]["stats"]      # each day as `--format json` writes it; reports.days: DayReport

The module map, in the order of the flow: every module and package once, with its one concern (a package ends in
/, its modules are indented under it; tests/test_layout.py holds the package to this list):

  cli              command line: options from config's table -> Settings, errors -> exit codes (the only click user)
  api              daily_reports(...): a run from Python, returning the day reports and their JSON
  config/          Settings and the resolved run (RunConfig: dates, zone; frozen once built)
    settings_table   every setting declared once: field, type, default, flags, file key, env var, help, check
    values           the one check of a setting's value, whatever its source, and its error
    file             offline-report.toml: found, read, every key checked with its line
    merge            precedence (command line > environment > file > defaults) and what `config` shows
    checks           every merged setting checked before a run
    starter          `offline-report init`: the commented starter file
  pipeline         the wiring: settings -> checks -> analyzer -> repositories x views -> reports
  git/             everything read from git (the only importer of pygit2)
    repo             a clone opened once: name, links, .mailmap, refs
    log              the walk: commits on the day they landed, merges with what they brought
    commits          one commit decoded once: message facts, files, line counts, patch on demand
    decode_pool      commits decoded on every core, chunks of consecutive commits per worker
    message          commit messages: subject, body, conventional type and scope, breaking, PR number
    ranges           release ranges (A..B, or one tag), their names and dates
    remote           the origin remote as web links and an owner/name title
    upstream         an internal fork's upstream: which commits are upstream's
    api_ends         the two ends of a week, month or range as trees, and the public API between them
  facts/           what a diff says, read from its text without a model
    kinds            the one table of file kinds, languages and manifests
    patch            a unified diff read by side, within bounds
    grammars         the tree-sitter grammar of each language, imported when a file of it is met
    syntax           one file's definitions read by its grammar, each blob parsed once
    tree_c           C, C++ and CUDA definitions from a syntax tree
    tree_walks       Python, Go, Rust, Java, JavaScript and TypeScript definitions from a syntax tree
    tree_facts       a changed file's definition facts from its two parsed sides
    body_edits       one side's definitions from the other's when only function bodies changed
    remembered       a changed file's definition facts kept in the run's cache between runs
    api_diff         the public API that differs between two trees
    defs_base        one definition read from one line, where no grammar reads the file
    defs             definitions per line: Kotlin, or a blob its grammar cannot read
    defs_c           definitions per line: the C family, where its grammar cannot read the blob
    params           a definition's parameters from its signature line
    scan             one file's patch: definitions (by line where no grammar), tests, options
    options          options, environment variables and tests named on a line
    manifests        dependencies before and after, the project's own version
    pairs            moves, renames and re-signatures (added and removed facts paired)
    salience         which definitions a reader sees first
    model            a commit's diff facts as data and JSON
    commit           one commit's facts, file by file
  record/          which commits each report holds, and the nightly record
    selection        a day's landed commits kept by a repository's report, and its coverage
    periods          which days a week or month report holds (config and report both use it)
    state            the nightly state file: last completed day and tip per output
    nightly          what a run carries into the record: keys, resume, record_reported
  rules/           deterministic judgement from the facts
    classify         change type, importance prior with reasons, signals
    writer           the rule analysis of every tier
    facts_text       the diff facts in words
    analyzer         RuleAnalyzer: the analysis from git facts alone (no model)
  analysis_spec    the per-tier field spec; the Analysis, Vote and Reason values; the CommitEntry a run
                   produces; the Analyzer protocol
  llm/             the model (a --no-llm run imports none of it)
    engine           the model seam: what the analysis needs from a model
    llama            the in-process engine (the only importer of llama_cpp)
    server           the server engine (the only module speaking HTTP)
    models           model discovery, GGUF metadata, fingerprints, pre-load checks
    session          the run's model, local or on a server
    model_analyzer   per commit: cache, model, guard and the rule fallback
    prompts          prompts and diff excerpts cut to a token budget
    schema           the JSON schemas of the answers, the prompt version
    guard            every answer checked on form and content
    vote             the importance vote and whether it counts
    answer_check     can this model pass the guard? else the run skips it
  report/          the day model and what renders it
    views            what one report covers: a day, a week, a month or a release range
    day              the day model and its one serialisation
    render           templates: Markdown and HTML, JSON (the templates live in templates/)
    output           reports to stdout or files in order; without a model, rendered on every core
    message_body     a commit body read as the CommonMark its author wrote: safe HTML and Markdown
    site             index.html and feed.xml from the day pages present
    team_templates   a team's templates: the built-ins to start from, checked before a run, unused ones
  catalog          words a reader sees, per language (catalogs/<lang>.toml)
  cache            the diskcache store and the run lock
  files            files written whole or not at all
  stats            what a run did (JSON `run`, the footer)
  progress         progress on stderr
  stops            how a run stops: SIGTERM/SIGHUP as Ctrl-C, a watchdog for a stop that cannot unwind, and the
                   forked workers that share its work and stop with it
  errors           the error hierarchy (exit code and what to do)
"""

__version__ = "0.1.0"
# The environment variables offline-report reads, named once: the settings file, the model file, the cache folder.
ENV_CONFIG = "OFFLINE_REPORT_CONFIG"
ENV_MODEL = "OFFLINE_REPORT_MODEL"
ENV_CACHE = "OFFLINE_REPORT_CACHE"


def __getattr__(name: str):
    """`offline_report.daily_reports` and `offline_report.Reports`, imported on first use (`--version` stays fast)."""
    if name in ("daily_reports", "Reports"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'offline_report' has no attribute {name!r}")
