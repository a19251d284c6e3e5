"""merit: soulbound learning badges with verifiable draws."""

__version__ = "0.1.0"
