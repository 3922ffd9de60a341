"""The knowledge base: building it (``build_kb``) and reading it (``open_kb``)."""

from .api import KnowledgeBase, open_kb
from .build import BuildOptions, BuildReport, build_kb

__all__ = ["KnowledgeBase", "open_kb", "BuildOptions", "BuildReport", "build_kb"]
