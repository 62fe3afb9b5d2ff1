"""All Bot API methods the fake implements."""

from .forum import methods as forum_methods
from .messages import methods as message_methods
from .misc import methods as misc_methods
from .table import MethodTable

METHODS = MethodTable().merge(misc_methods, message_methods, forum_methods)

__all__ = ["METHODS", "MethodTable"]
