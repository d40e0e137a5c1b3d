"""Where the generator's own folders are: the project checkout around this
package (templates, runtime) and the package itself. Modules take their paths
from here, so a module can move between subpackages without counting parents."""

from __future__ import annotations

from pathlib import Path

GENERATOR_DIR = Path(__file__).resolve().parent
"""The generator package."""
PROJECT_DIR = GENERATOR_DIR.parent
"""The checkout holding generator/, templates/, runtime/ and spec/."""
TEMPLATES_DIR = PROJECT_DIR / "templates"
RUNTIME_DIR = PROJECT_DIR / "runtime"
"""The hand-written runtime source (runtime/zoho_bulk_core)."""
SPEC_DIR = PROJECT_DIR / "spec"
