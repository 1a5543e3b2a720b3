"""The Data Portability archive: the zip `POST /v2/user/data/download/` streams (reference §6).

It reproduces TikTok's "Download your data" export: `user_data_tiktok.json` for JSON requests,
a `TikTok_Data_<unix>/<Section>/<Name>.txt` tree for TEXT ones, with exactly the sections the
requested categories map to. Rows are seeded from the user's `archive_seed`, sized by the
user's persona and generated while the zip is sent.

Modules: `layout` (sections, keys, empty encodings), `rows` (seeded row generators and persona
volumes), `pools` (Faker-built text pools), `jsonfmt` and `textfmt` (the two formats),
`zipstream` (the streaming zip writer), `build` (this package's entry points).
"""

from __future__ import annotations

from .build import archive_filename, stream_archive
from .layout import CATEGORIES, sections_for
from .rows import PERSONAS

__all__ = ["CATEGORIES", "PERSONAS", "archive_filename", "sections_for", "stream_archive"]
