"""Journey configuration: the declared stages, touchpoints, sources and revisits."""

from cjx.journey.load import JourneyError, LoadedJourney, load_journey
from cjx.journey.model import Journey

__all__ = ["Journey", "JourneyError", "LoadedJourney", "load_journey"]
