"""Print the project's pinned requirements from pyproject.toml (with `--dev`, the dev extras too).

The project is an application, not a package: installing its dependencies this way avoids
building it (no egg-info, no setuptools warnings) while pyproject.toml stays the one list.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
    "project"
]
requirements = list(project["dependencies"])
if "--dev" in sys.argv:
    requirements += project["optional-dependencies"]["dev"]
print("\n".join(requirements))
