"""The issue's example: one commit whose message names none of the 13 facts its diff holds."""

from __future__ import annotations

CONFIG_PY = '''"""Configuration."""
import os


def load(path):
    with open(path) as handle:
        return handle.read()
'''

CLI_PY = '''import click


@click.command()
@click.option("--verbose", is_flag=True)
def main(verbose):
    click.echo("hello")
'''

DEVICE_CPP = '''#include "device.h"

namespace nixl {

int init_device(int ordinal) {
    return ordinal + 1;
}

int init_host(void) {
    return 0;
}

int shutdown(void) {
    return 0;
}

}  // namespace nixl
'''

SERVER_GO = '''package server

type Server struct {
\taddr string
}

func New(addr string) *Server {
\treturn &Server{addr: addr}
}
'''

QUEUE_RS = '''pub struct Queue {
    items: Vec<u32>,
}

impl Queue {
    pub fn new() -> Self {
        Queue { items: Vec::new() }
    }
}
'''

PYPROJECT = '''[project]
name = "pkg"
version = "1.0"
dependencies = [
    "httpx>=0.27",
    "click>=8.1",
]
'''


BASE_FILES = {"pkg/config.py": CONFIG_PY, "pkg/cli.py": CLI_PY, "src/device.cpp": DEVICE_CPP,
              "server/server.go": SERVER_GO, "src/queue.rs": QUEUE_RS, "pyproject.toml": PYPROJECT,
              "requirements.txt": "vllm==0.15.0\nnumpy>=1.26\n",
              "tests/test_config.py": "import pkg\n\n\ndef test_load():\n    assert pkg\n"}


def follow_up_files() -> dict[str, str]:
    """The second commit's files: 13 facts that only the diff shows."""
    config = CONFIG_PY + '''

class ConfigError(Exception):
    """A configuration that cannot be used."""


def parse_config(text):
    timeout = float(os.environ.get("PKG_TIMEOUT", "30"))
    return {"text": text, "timeout": timeout}
'''
    cli = CLI_PY.replace('@click.option("--verbose", is_flag=True)\n',
                         '@click.option("--verbose", is_flag=True)\n@click.option("--max-retries", type=int, default=3)\n')
    cli = cli.replace("def main(verbose):", "def main(verbose, max_retries):")
    device = DEVICE_CPP.replace('''int init_device(int ordinal) {
    return ordinal + 1;
}

int init_host(void) {
    return 0;
}
''', '''int init_memory_view(int ordinal, bool host) {
    return host ? 0 : ordinal + 1;
}
''')
    server = SERVER_GO + '''
func (s *Server) Start() error {
\treturn nil
}
'''
    queue = QUEUE_RS.replace('''        Queue { items: Vec::new() }
    }
''', '''        Queue { items: Vec::new() }
    }

    pub fn flush_pending(&mut self) -> usize {
        let count = self.items.len();
        self.items.clear();
        count
    }
''')
    tests = "import pkg\n\n\ndef test_load():\n    assert pkg\n" + "".join(
        f"\n\ndef test_parse_config_{case}():\n    assert pkg.config.parse_config('{case}')\n"
        for case in ("empty", "timeout", "retries"))
    return {"pkg/config.py": config, "pkg/cli.py": cli, "src/device.cpp": device, "server/server.go": server,
            "src/queue.rs": queue, "pyproject.toml": PYPROJECT.replace("httpx>=0.27", "httpx>=0.28"),
            "requirements.txt": "vllm==0.15.1\nnumpy>=1.26\n", "tests/test_config.py": tests}


# The 13 facts, as a reader should find them named.
THIRTEEN = ["parse_config", "ConfigError", "--max-retries", "PKG_TIMEOUT", "vllm", "0.15.0", "0.15.1", "httpx",
            ">=0.27", ">=0.28", "init_device", "init_host", "init_memory_view", "test_parse_config_empty",
            "test_parse_config_timeout", "test_parse_config_retries", "Server.Start", "flush_pending"]
