"""Everything read from git: the clone, the walk, each commit decoded once. The only importer of pygit2."""
