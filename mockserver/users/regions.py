"""Which users the Data Portability API serves: the EEA and the UK (reference §5.6)."""

from __future__ import annotations

# EU member states plus Iceland, Liechtenstein and Norway.
EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    }
)
PORTABILITY_REGIONS = EEA | {"GB"}

# Faker locale per region so names, phones and addresses look local; others fall back to en_US.
LOCALES = {
    "AT": "de_AT",
    "BE": "nl_BE",
    "BG": "bg_BG",
    "HR": "hr_HR",
    "CY": "el_CY",
    "CZ": "cs_CZ",
    "DK": "da_DK",
    "EE": "et_EE",
    "FI": "fi_FI",
    "FR": "fr_FR",
    "DE": "de_DE",
    "GR": "el_GR",
    "HU": "hu_HU",
    "IE": "en_IE",
    "IT": "it_IT",
    "LV": "lv_LV",
    "LT": "lt_LT",
    "LU": "fr_FR",
    "MT": "en_GB",
    "NL": "nl_NL",
    "PL": "pl_PL",
    "PT": "pt_PT",
    "RO": "ro_RO",
    "SK": "sk_SK",
    "SI": "sl_SI",
    "ES": "es_ES",
    "SE": "sv_SE",
    "IS": "is_IS",
    "LI": "de_CH",
    "NO": "no_NO",
    "GB": "en_GB",
    "US": "en_US",
    "BR": "pt_BR",
    "IN": "en_IN",
    "CA": "en_CA",
    "AU": "en_AU",
    "JP": "ja_JP",
    "MX": "es_MX",
}


def is_portability_region(region: str) -> bool:
    """True where TikTok's Data Portability API serves the user (EEA or UK)."""
    return region in PORTABILITY_REGIONS


def portability_refusal(region: str) -> str | None:
    """Why TikTok will not serve this region's user, or None for the EEA and the UK."""
    if is_portability_region(region):
        return None
    return (
        "Data portability is only available to users in the EEA or the UK; this user's "
        f"region is {region}."
    )


def is_known_region(region: str) -> bool:
    return len(region) == 2 and region.isalpha() and region.isupper()
