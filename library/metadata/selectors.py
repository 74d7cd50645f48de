"""Reads that metadata resolution needs from the rest of the library."""

from library.metadata.resolution import FIXED_WEIGHTS
from library.models import Provider


def source_weights():
    """``{source: weight}`` for claim resolution: the fixed sources plus each provider's weight."""
    weights = dict(FIXED_WEIGHTS)
    weights.update({provider.name: provider.weight for provider in Provider.objects.ensure_all()})
    return weights
