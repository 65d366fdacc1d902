"""The age bands every by-age count uses: the 19 five-year bands of the
European standard population 2013, in order (its weights: rates.ESP2013)."""

from __future__ import annotations

AGE_BANDS: tuple[str, ...] = (
    "00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)  # fmt: skip
