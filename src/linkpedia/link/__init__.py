"""Linking: spot mentions, rank candidates, score and choose."""

from .linker import POLICIES, Linker, LinkerConfig

__all__ = ["Linker", "LinkerConfig", "POLICIES"]
