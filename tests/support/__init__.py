"""Helpers the tests share: repositories built with pygit2, stand-in engines, CLI runs, facts and links."""
