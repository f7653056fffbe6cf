"""History commands: ``diff`` and ``release`` (issue 6).

Only option parsing lives here; the work is done by modules the commands call.
"""

from __future__ import annotations

import typer

commands = typer.Typer()
