"""The standard as data; shipped as ``catalog_cli.bundled_standards``. Holds no code."""
