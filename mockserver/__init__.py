"""tiktok-portability-mock: a local TikTok Login Kit (OAuth v2) and Data Portability API."""

from __future__ import annotations

__version__ = "0.1.0"
