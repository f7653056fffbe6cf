"""Allow ``python -m catalog_cli``."""

from catalog_cli.cli import main

main()
