"""catalog: the catalog tool for government service items (政务服务事项)."""

__version__ = "0.1.0"
