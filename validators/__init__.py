"""The rules: one file per rule, discovered by ``catalog_cli.rules``.

Shipped inside the wheel as ``catalog_cli.bundled_rules`` (``validators`` is a PyPI package name
we must not shadow). A catalog repository with its own ``validators/`` folder adds or replaces
rules without touching the tool.
"""
