"""All Bot API methods the fake implements."""

from .editing import methods as editing_methods
from .forum import methods as forum_methods
from .forwarding import methods as forwarding_methods
from .misc import methods as misc_methods
from .sending import methods as sending_methods
from .table import MethodTable

METHODS = MethodTable().merge(
    misc_methods, sending_methods, forwarding_methods, editing_methods, forum_methods
)

__all__ = ["METHODS", "MethodTable"]
